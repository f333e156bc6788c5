#!/usr/bin/python3
"""End-to-end: report.html and `twinbed export RUN --csv DIR`.

A shortened quickstart run must leave a self-contained report.html (no external resource, no
script, an <svg> in every chart section, the scenario text escaped and intact, figures equal to
summary.json), `twinbed report RUN` must regenerate it byte for byte, and `export --csv` must write
one CSV per dataset of run.h5 with the dataset's row count. A run without devices but with ECG
(scenarios/validation/ecg_rhythms.yaml, shortened) checks the empty-telemetry page and the
waveform CSVs. Finally headless Chromium opens the page: no console error, and the DOM has the
page's title. Chromium is skipped (with a message) only when it is missing and CI is not set.

Usage: check_report.py TWINBED SCENARIO_DIR"""
import csv
import glob
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py

twinbed, scenario_dir = sys.argv[1], sys.argv[2]
failures = []
MAX_POINTS_PER_STRIP = 1500


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def run_scenario(path, out, *overrides):
    args = [twinbed, "run", path, "--out", out, "--quiet"]
    # Shortened runs: the scenario's own expect lines are for its full and CI sizes.
    for o in (*overrides, "expect=[]"):
        args += ["--set", o]
    result = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)}: exit {result.returncode}: {result.stderr}")
    return [d for d in glob.glob(os.path.join(out, "*", "*")) if not os.path.basename(d).startswith(".")][0]


def sections(page):
    return dict(re.findall(r'<section id="(\w+)">(.*?)</section>', page, re.S))


def check_self_contained(page, name):
    check("http://" not in page and "https://" not in page, f"{name}: mentions an http(s) URL")
    check(re.search(r"\b(src|href)\s*=", page) is None, f"{name}: has a src= or href= attribute")
    check(re.search(r"<link\b", page, re.I) is None, f"{name}: has a <link> element")
    check(re.search(r"<script\b[^>]*\bsrc", page, re.I) is None, f"{name}: loads a script")
    check(re.search(r"@import|url\(", page) is None, f"{name}: CSS loads something")


def check_scenario_text(page, run_dir, name):
    with h5py.File(os.path.join(run_dir, "run.h5"), "r") as f:
        text = f["meta"].attrs["scenario_text"]
        scenario = f["meta"].attrs["scenario_name"]
        run_id = f["meta"].attrs["run_id"]
    pre = re.search(r'<section id="scenario">.*?<pre>(.*?)</pre>', page, re.S)
    if check(pre is not None, f"{name}: no <pre> in the scenario section"):
        check(html.unescape(pre.group(1)) == text, f"{name}: the scenario text is not /meta/scenario_text, escaped")
        check("<" not in pre.group(1), f"{name}: unescaped '<' in the scenario text")
    title = re.search(r"<title>(.*?)</title>", page)
    check(title is not None and scenario in title.group(1) and run_id in title.group(1),
          f"{name}: <title> lacks the scenario name or run id: {title.group(1) if title else None}")
    return title.group(1) if title else ""


def check_csv_export(run_dir, out, name):
    result = subprocess.run([twinbed, "export", run_dir, "--csv", out], capture_output=True, text=True, timeout=300)
    if not check(result.returncode == 0, f"{name}: export --csv failed: {result.stderr}"):
        return
    expected = {}
    with h5py.File(os.path.join(run_dir, "run.h5"), "r") as f:
        def visit(path, obj):
            if isinstance(obj, h5py.Dataset):
                expected[path.replace("/", "_") + ".csv"] = (path, obj.shape[0], obj)
        f.visititems(visit)
        attributes = len(f.attrs) + sum(len(f[p].attrs) for p in _all_paths(f))
        written = sorted(os.listdir(out))
        check(written == sorted(list(expected) + ["attributes.csv"]),
              f"{name}: CSV files {written} are not one per dataset {sorted(expected)} + attributes.csv")
        check(f"wrote {len(expected) + 1} CSV files" in result.stdout, f"{name}: export does not list its files")
        for file, (path, rows, dataset) in expected.items():
            if not os.path.exists(os.path.join(out, file)):
                continue
            with open(os.path.join(out, file), newline="") as handle:
                table = list(csv.reader(handle))
            check(len(table) - 1 == rows, f"{name}: {file} has {len(table) - 1} rows, /{path} has {rows}")
            header = table[0]
            if dataset.dtype.names:
                check(header == list(dataset.dtype.names), f"{name}: {file} header {header} != {dataset.dtype.names}")
                # Enums by name, strings unpadded, integers in full, floats round-trip.
                sample = dataset[: min(rows, 200)]
                for column in dataset.dtype.names:
                    kind = dataset.dtype[column]
                    enum = h5py.check_enum_dtype(kind)
                    got = [r[header.index(column)] for r in table[1:len(sample) + 1]]
                    if enum is not None:
                        names = {v: k for k, v in enum.items()}
                        want = [names[int(v)] for v in sample[column]]
                    elif kind.kind == "S":
                        want = [v.decode().rstrip(" ") for v in sample[column]]
                    elif kind.kind in "iu":
                        want = [str(int(v)) for v in sample[column]]
                    else:
                        want = [float(v) for v in sample[column]]
                        got = [float(v) for v in got]
                        want = ["nan" if v != v else v for v in want]
                        got = ["nan" if v != v else v for v in got]
                    check(got == want, f"{name}: {file} column {column} differs from /{path}: {got[:3]} vs {want[:3]}")
            else:
                check(header == ["sample", "value"], f"{name}: {file} header {header}")
                values = dataset[: min(rows, 1000)]
                check([int(r[0]) for r in table[1:len(values) + 1]] == list(range(len(values))),
                      f"{name}: {file} sample index is not 0, 1, 2, ...")
                # float32 samples are written in float32's shortest form: read them back as float32.
                check(all(dataset.dtype.type(r[1]) == v for r, v in zip(table[1:], values)),
                      f"{name}: {file} values differ from /{path}")
    with open(os.path.join(out, "attributes.csv"), newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    check(len(rows) == attributes, f"{name}: attributes.csv has {len(rows)} rows, run.h5 has {attributes} attributes")
    meta = {r[1]: r[2] for r in rows if r[0] == "/meta"}
    with h5py.File(os.path.join(run_dir, "run.h5"), "r") as f:
        check(meta.get("scenario_text") == f["meta"].attrs["scenario_text"], f"{name}: attributes.csv scenario_text differs")
        check(meta.get("seed") == str(f["meta"].attrs["seed"]), f"{name}: attributes.csv seed differs")
    print(f"{name}: export --csv wrote {len(expected) + 1} files, row counts equal to run.h5")


def check_alarm_tables(section, run_dir, name):
    """The confusion table's group rows equal /scores/classes; the per-type table equals /alarms."""
    with h5py.File(os.path.join(run_dir, "run.h5"), "r") as f:
        classes = f["scores/classes"][:]
        alarms = f["alarms"][:] if "alarms" in f else None
    for row in classes:
        label = row["name"].decode()
        if label not in ("overall", "physiological", "technical", "high_priority"):
            continue
        cells = "".join(f"<td>{int(row[c])}</td>" for c in ("events", "detected", "missed", "alarms", "true_alarms"))
        cells += f"<td>{int(row['false_alarms'])} ({int(row['false_artifact'])})</td><td>{int(row['repeats'])}</td>"
        check(f"<td>{label}</td>{cells}" in section, f"{name}: confusion row {label} is not {cells}")
    if alarms is not None:
        for kind in sorted({a.decode() for a in alarms["type"]}):
            mine = alarms[alarms["type"] == kind.encode()]
            annunciated = int((mine["suppressed"] == 0).sum())
            check(re.search(rf"<td>{re.escape(kind)}</td><td>\w+</td><td>{annunciated}</td>", section) is not None,
                  f"{name}: alarm type {kind} should show {annunciated} annunciated")
    print(f"{name}: confusion rows and alarm types equal /scores/classes and /alarms")


def _all_paths(f):
    paths = []
    f.visit(paths.append)
    return paths


with tempfile.TemporaryDirectory(prefix="twinbed-report-") as work:
    # --- quickstart, 20 simulated minutes -------------------------------------------------------
    run_dir = run_scenario(os.path.join(scenario_dir, "quickstart.yaml"), os.path.join(work, "results"), "duration=20min")
    report = os.path.join(run_dir, "report.html")
    if not os.path.exists(report):
        sys.exit(f"FAIL: no report.html in {run_dir}")
    page = open(report, encoding="utf-8").read()
    summary = json.load(open(os.path.join(run_dir, "summary.json")))
    check(summary["files"].get("report") == report, f"summary.json files.report is {summary['files'].get('report')}")
    check_self_contained(page, "quickstart")
    title = check_scenario_text(page, run_dir, "quickstart")
    parts = sections(page)
    check(set(parts) == {"alarms", "timelines", "latency", "completeness", "scenario"}, f"sections: {sorted(parts)}")
    for section in ("timelines", "latency", "completeness"):
        check("<svg" in parts.get(section, ""), f"quickstart: no <svg> in section {section}")
    with h5py.File(os.path.join(run_dir, "run.h5"), "r") as f:
        scored = "scores/classes" in f
        patients = f["patients"].shape[0]
    if scored:
        check("<svg" in parts["alarms"] and "<table>" in parts["alarms"], "alarms: no confusion table or outcome bar")
        check_alarm_tables(parts["alarms"], run_dir, "quickstart")
    else:
        check("no alarm scoring in this run" in parts["alarms"], "alarms: no 'no alarm scoring' note without /scores")
    timelines = re.findall(r'<svg class="timeline".*?</svg>', page, re.S)
    check(len(timelines) == min(patients, 12), f"{len(timelines)} timelines for {patients} patients")
    most = 0
    for svg in timelines:
        for d in re.findall(r'<path d="([^"]*)"', svg):
            most = max(most, len(re.findall(r"[ML]", d)))
    check(0 < most <= MAX_POINTS_PER_STRIP, f"a timeline series has {most} points (1..{MAX_POINTS_PER_STRIP} expected)")
    completeness = summary["telemetry"]["completeness"]
    check(f"{completeness * 100:.3f} %" in page, f"completeness card {completeness * 100:.3f} % missing")
    generated = sum(d["generated"] for d in summary["telemetry"]["per_device"])
    received = sum(d["received"] for d in summary["telemetry"]["per_device"])
    row = f"<td>pulse_oximeter</td><td>4</td><td>{generated}</td><td>{received}</td><td>{received / generated * 100:.4f} %</td>"
    check(row in page, f"completeness table row {row} missing")
    print(f"quickstart: report {len(page)} bytes, {len(timelines)} timelines, longest series {most} points, "
          f"completeness {completeness * 100:.3f} %")

    # --- regeneration is byte-identical ------------------------------------------------------------
    before = hashlib.sha256(open(report, "rb").read()).hexdigest()
    os.remove(report)
    regen = subprocess.run([twinbed, "report", run_dir], capture_output=True, text=True, timeout=120)
    check(regen.returncode == 0 and regen.stdout.strip() == report, f"twinbed report: {regen.returncode} {regen.stdout!r} {regen.stderr!r}")
    after = hashlib.sha256(open(report, "rb").read()).hexdigest() if os.path.exists(report) else None
    check(before == after, "twinbed report does not regenerate report.html byte for byte")
    bad = subprocess.run([twinbed, "report", os.path.join(work, "nothing")], capture_output=True, text=True)
    check(bad.returncode == 2 and "RUN" in bad.stderr, f"report of a missing run: exit {bad.returncode} {bad.stderr!r}")

    # --- CSV export ----------------------------------------------------------------------------
    check_csv_export(run_dir, os.path.join(work, "csv"), "quickstart")
    again = subprocess.run([twinbed, "export", run_dir, "--csv", os.path.join(work, "csv")], capture_output=True, text=True)
    check(again.returncode == 2 and "not empty" in again.stderr, f"export into a full folder: exit {again.returncode}")
    neither = subprocess.run([twinbed, "export", run_dir], capture_output=True, text=True)
    check(neither.returncode == 2 and "--csv" in neither.stderr, f"export without a format: exit {neither.returncode}")
    both = subprocess.run([twinbed, "export", run_dir, "--csv", os.path.join(work, "a"), "--wfdb", os.path.join(work, "b")],
                          capture_output=True, text=True)
    check(both.returncode == 2, f"export with --csv and --wfdb: exit {both.returncode}")

    # --- assertions: one passes, one fails (exit code 1); both listed with their verdict ------------
    out = os.path.join(work, "assert")
    failed = subprocess.run([twinbed, "run", os.path.join(scenario_dir, "quickstart.yaml"), "--out", out, "--quiet",
                             "--set", "duration=30min", "--set",
                             'expect=["telemetry.completeness >= 0.9", "telemetry.latency.p99 <= 10ms"]'],
                            capture_output=True, text=True, timeout=300)
    check(failed.returncode == 1, f"run with a failing assertion: exit {failed.returncode} {failed.stderr}")
    assert_page = open(glob.glob(os.path.join(out, "quickstart", "*", "report.html"))[0], encoding="utf-8").read()
    check("Assertions: 1 of 2 passed" in assert_page, "assertions heading is not 'Assertions: 1 of 2 passed'")
    verdicts = re.findall(r'<li class="(pass|fail)">[^<]*<code>([^<]*)</code>', assert_page)
    check(verdicts == [("pass", "telemetry.completeness &gt;= 0.9"), ("fail", "telemetry.latency.p99 &lt;= 10ms")],
          f"assertion verdicts on the page: {verdicts}")

    # --- a run without devices, with ECG ---------------------------------------------------------
    ecg_dir = run_scenario(os.path.join(scenario_dir, "validation", "ecg_rhythms.yaml"), os.path.join(work, "ecg"),
                           "duration=60s")
    ecg_page = open(os.path.join(ecg_dir, "report.html"), encoding="utf-8").read()
    check_self_contained(ecg_page, "ecg_rhythms")
    check_scenario_text(ecg_page, ecg_dir, "ecg_rhythms")
    ecg_parts = sections(ecg_page)
    check("No telemetry was recorded" in ecg_parts.get("latency", ""), "ecg_rhythms: latency section without telemetry")
    check("no vital signs measured" in ecg_parts.get("timelines", ""), "ecg_rhythms: timelines without devices")
    check_csv_export(ecg_dir, os.path.join(work, "ecg_csv"), "ecg_rhythms")

    # --- headless Chromium --------------------------------------------------------------------
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            failures.append("chromium is not installed (scripts/install-deps.sh installs it); required when CI is set")
        else:
            print("SKIP chromium part: chromium is not installed and CI is not set (scripts/install-deps.sh installs it)")
    else:
        for name, path, page_title in (("quickstart", report, title),
                                       ("ecg_rhythms", os.path.join(ecg_dir, "report.html"), None)):
            shown = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                                    "--virtual-time-budget=2000", f"--user-data-dir={os.path.join(work, 'chromium-' + name)}",
                                    "--dump-dom", "file://" + os.path.abspath(path)],
                                   capture_output=True, text=True, timeout=120)
            console = [line for line in shown.stderr.splitlines()
                       if "CONSOLE" in line or "Uncaught" in line or "ERROR:CONSOLE" in line]
            check(shown.returncode == 0, f"chromium {name}: exit {shown.returncode}: {shown.stderr[-500:]}")
            check(not console, f"chromium {name}: console errors: {console[:3]}")
            expected_title = page_title or re.search(r"<title>(.*?)</title>", open(path).read()).group(1)
            check(f"<title>{expected_title}</title>" in shown.stdout, f"chromium {name}: dumped DOM lacks the title")
            check(shown.stdout.count("<svg") >= 1, f"chromium {name}: no <svg> in the DOM")
            print(f"chromium {name}: {len(shown.stdout)} bytes of DOM, {len(console)} console lines")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("report OK")
