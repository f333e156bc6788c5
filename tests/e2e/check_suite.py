#!/usr/bin/python3
"""`expect:` lines, exit codes and `twinbed suite` end to end: tiny scenarios in a temporary folder,
one with a deliberately failing assertion, one invalid, one that cannot write its results. Checks
the exit codes (worst wins: 3 > 2 > 1 > 0), the summary table, `--quick` (the files' "# ci-set:"
lines) and the JUnit XML against the structure of the common JUnit schemas (Jenkins xunit
junit-10.xsd and the stricter Ant-derived windyroad JUnit.xsd), checked by hand with xml.etree.

Usage: check_suite.py TWINBED"""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

twinbed = sys.argv[1]
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
    return condition


# The shape of scenarios/quickstart.yaml, one patient for two simulated minutes.
def scenario(name, expect, extra=""):
    text = f"""{extra}twinbed: 1
name: {name}
seed: 42
duration: 2min
links:
  - name: wifi
    latency: 40ms
    loss: 0.5%
cohort:
  - prefix: p
    count: 1
    profile: adult
    devices:
      - type: pulse_oximeter
        name: spo2
        link: wifi
        sample_interval: 1s
"""
    if expect:
        text += "expect:\n" + "".join(f"  - {line}\n" for line in expect)
    return text


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def run(*args):
    return subprocess.run([twinbed, *args], capture_output=True, text=True, timeout=300)


# --- JUnit structure -----------------------------------------------------------------------------
# Attribute sets and types from Jenkins' junit-10.xsd; the Ant/windyroad JUnit.xsd additionally
# requires hostname, timestamp (no zone), id and package on each testsuite, <properties>,
# <system-out> and <system-err> in it, and a type on <failure> and <error>.
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
SUITES_ATTRIBUTES = {"name", "time", "tests", "failures", "errors", "disabled"}
SUITE_ATTRIBUTES = {"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp", "hostname",
                    "id", "package", "file", "log", "url"}
CASE_ATTRIBUTES = {"name", "time", "classname", "group"}
CASE_CHILDREN = {"skipped", "error", "failure", "system-out", "system-err"}


def non_negative_int(element, name):
    value = element.get(name)
    return check(value is not None and value.isdigit(), f"<{element.tag}> {name}={value!r} is not an integer >= 0")


def decimal_time(element):
    value = element.get("time")
    return check(value is not None and SUREFIRE_TIME.fullmatch(value) is not None and value != "",
                 f"<{element.tag}> time={value!r} is not a decimal number of seconds")


def validate_junit(root):
    """Structural validation; returns {suite name: [(testcase element), ...]}."""
    check(root.tag == "testsuites", f"root is <{root.tag}>, not <testsuites>")
    check(set(root.attrib) <= SUITES_ATTRIBUTES, f"<testsuites> has unknown attributes {set(root.attrib) - SUITES_ATTRIBUTES}")
    for name in ("tests", "failures", "errors"):
        non_negative_int(root, name)
    decimal_time(root)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    suites = {}
    ids = []
    for suite in root:
        if not check(suite.tag == "testsuite", f"<testsuites> holds <{suite.tag}>"):
            continue
        check(set(suite.attrib) <= SUITE_ATTRIBUTES, f"<testsuite> has unknown attributes {set(suite.attrib) - SUITE_ATTRIBUTES}")
        for name in ("name", "tests", "failures", "errors", "time", "timestamp", "hostname", "id", "package"):
            check(suite.get(name, "") != "", f"<testsuite> lacks a required {name}")
        for name in ("tests", "failures", "errors", "id"):
            non_negative_int(suite, name)
        decimal_time(suite)
        check(TIMESTAMP.fullmatch(suite.get("timestamp", "")) is not None,
              f"timestamp {suite.get('timestamp')!r} is not yyyy-mm-ddThh:mm:ss")
        ids.append(suite.get("id"))
        # windyroad order: properties, testcase*, system-out, system-err.
        tags = [child.tag for child in suite]
        check(len(tags) >= 3 and tags[0] == "properties" and tags[-2:] == ["system-out", "system-err"]
              and all(t == "testcase" for t in tags[1:-2]), f"<testsuite> children in order {tags}")
        for prop in suite.find("properties") if suite.find("properties") is not None else []:
            check(prop.tag == "property" and prop.get("name") and prop.get("value") is not None,
                  f"<properties> holds <{prop.tag} {prop.attrib}>")
        cases = suite.findall("testcase")
        counts = {"tests": len(cases), "failures": 0, "errors": 0}
        for case in cases:
            check(set(case.attrib) <= CASE_ATTRIBUTES, f"<testcase> has unknown attributes {set(case.attrib) - CASE_ATTRIBUTES}")
            check(case.get("name", "").strip() != "", "<testcase> lacks a name")
            check(case.get("classname", "") == "twinbed." + suite.get("name"), f"classname {case.get('classname')!r}")
            decimal_time(case)
            children = [c.tag for c in case]
            check(set(children) <= CASE_CHILDREN, f"<testcase> holds {children}")
            check(children.count("failure") + children.count("error") <= 1, f"<testcase> holds {children}")
            for verdict in case:
                if verdict.tag in ("failure", "error"):
                    check(verdict.get("type", "") != "", f"<{verdict.tag}> lacks a type")
                    counts["failures" if verdict.tag == "failure" else "errors"] += 1
        for name, value in counts.items():
            check(int(suite.get(name, "-1")) == value, f"suite {suite.get('name')}: {name}={suite.get(name)}, counted {value}")
            totals[name] += value
        suites[suite.get("name")] = cases
    check(len(set(ids)) == len(ids), f"testsuite ids repeat: {ids}")
    for name, value in totals.items():
        check(int(root.get(name, "-1")) == value, f"testsuites: {name}={root.get(name)}, counted {value}")
    return suites


def junit(path):
    try:
        return validate_junit(ET.parse(path).getroot())
    except (ET.ParseError, OSError) as e:
        failures.append(f"{path}: {e}")
        return {}


with tempfile.TemporaryDirectory(prefix="twinbed-suite-") as tmp:
    good = os.path.join(tmp, "good")
    out = os.path.join(tmp, "results")
    # '<' and '&' in names and messages must come out escaped and parse back unchanged.
    write(os.path.join(good, "a_pass.yaml"),
          scenario("suite_pass", ["telemetry.completeness >= 50%", "telemetry.completeness < 2",
                                  "network.packets_sent > 0"]))
    write(os.path.join(good, "nested", "b_fail.yaml"),
          scenario("suite_fail", ["telemetry.completeness >= 0.5", "telemetry.completeness >= 1.01"]))
    write(os.path.join(good, "c_plain.yaml"), scenario("suite_plain", []))
    write(os.path.join(good, "notes.txt"), "not a scenario\n")
    bad = os.path.join(tmp, "bad", "bad.yaml")
    write(bad, "twinbed: 1\nname: bad\nduraton: 1h\n")

    # 1. One failing assertion: exit 1, a <failure>, counts right.
    xml_a = os.path.join(tmp, "a.xml")
    r = run("suite", good, "--jobs", "2", "--junit", xml_a, "--out", out)
    print(r.stdout, r.stderr, sep="")
    check(r.returncode == 1, f"suite with a failing assertion: exit {r.returncode}, want 1")
    lines = r.stdout.splitlines()
    check(lines and lines[0].split()[:5] == ["scenario", "exit", "passed", "failed", "wall_s"], f"table header {lines[:1]}")
    rows = {line.split()[0]: line.split() for line in lines[1:-1]}
    check(rows.get("suite_pass", [])[1:4] == ["0", "3", "0"], f"suite_pass row {rows.get('suite_pass')}")
    check(rows.get("suite_fail", [])[1:4] == ["1", "1", "1"], f"suite_fail row {rows.get('suite_fail')}")
    check(rows.get("suite_plain", [])[1:4] == ["0", "0", "0"], f"suite_plain row {rows.get('suite_plain')}")
    check("expected >= 1.01" in " ".join(rows.get("suite_fail", [])), f"first failure {rows.get('suite_fail')}")
    check(lines and lines[-1].startswith("3 scenarios in ") and "1 with failed assertions" in lines[-1]
          and "5 of 5 assertions passed" not in lines[-1] and "4 of 5 assertions passed; exit 1" in lines[-1],
          f"summary line {lines[-1:]}")
    check(not [f for f in os.listdir(tmp) if ".tmp-" in f], "JUnit temporary file left behind")
    root = ET.parse(xml_a).getroot() if os.path.exists(xml_a) else None
    suites = junit(xml_a)
    check(sorted(suites) == ["suite_fail", "suite_pass", "suite_plain"], f"testsuites {sorted(suites)}")
    if root is not None:
        check((root.get("name"), root.get("tests"), root.get("failures"), root.get("errors")) == ("twinbed", "6", "1", "0"),
              f"testsuites attributes {root.attrib}")
    names = [c.get("name") for c in suites.get("suite_pass", [])]
    check(names == ["telemetry.completeness >= 50%", "telemetry.completeness < 2", "network.packets_sent > 0"],
          f"suite_pass testcases {names}")
    check(all(len(c) == 0 for c in suites.get("suite_pass", [])), "a passing testcase holds a verdict")
    fail_cases = suites.get("suite_fail", [])
    check([len(c) for c in fail_cases] == [0, 1], f"suite_fail testcases {[list(c) for c in fail_cases]}")
    if len(fail_cases) == 2 and len(fail_cases[1]) == 1:
        f = fail_cases[1][0]
        check(f.tag == "failure" and f.get("type") == "assertion", f"failure element {f.tag} {f.attrib}")
        check(re.fullmatch(r"telemetry\.completeness = 0\.\d+, expected >= 1\.01", f.get("message", "")) is not None,
              f"failure message {f.get('message')!r}")
        check(f.text.startswith(f.get("message")) and f.text.endswith("b_fail.yaml:20:5"), f"failure text {f.text!r}")
    plain = suites.get("suite_plain", [])
    check([c.get("name") for c in plain] == ["run"] and len(plain[0]) == 0 if plain else False,
          f"scenario without expect: {[(c.get('name'), list(c)) for c in plain]}")

    # 2. An invalid scenario as well: exit 2, its "run" testcase holds an <error type="invalid_input">.
    xml_b = os.path.join(tmp, "b.xml")
    r = run("suite", good, bad, "--jobs", "2", "--junit", xml_b, "--out", out)
    check(r.returncode == 2, f"suite with an invalid scenario: exit {r.returncode}, want 2")
    check(re.search(r"^bad\s+2\s+-\s+-\s+[0-9.]+\s+.*bad\.yaml:3:1: duraton", r.stdout, re.M) is not None,
          f"invalid row in {r.stdout!r}")
    suites = junit(xml_b)
    bad_cases = suites.get("bad", [])
    check(len(bad_cases) == 1 and bad_cases[0].get("name") == "run" and len(bad_cases[0]) == 1,
          f"invalid scenario testcases {[(c.get('name'), list(c)) for c in bad_cases]}")
    if len(bad_cases) == 1 and len(bad_cases[0]) == 1:
        e = bad_cases[0][0]
        check(e.tag == "error" and e.get("type") == "invalid_input", f"error element {e.tag} {e.attrib}")
        check("bad.yaml:3:1" in e.get("message", "") and "twinbed: error: " in (e.text or ""),
              f"error {e.get('message')!r} {e.text!r}")
    if os.path.exists(xml_b):
        root = ET.parse(xml_b).getroot()
        check((root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "1", "1"), f"totals {root.attrib}")

    # 3. A run that cannot write its results: exit 3 wins over 2 and 1.
    blocker = os.path.join(tmp, "blocker")
    write(blocker, "a file where the results folder should go\n")
    xml_c = os.path.join(tmp, "c.xml")
    r = run("suite", os.path.join(good, "a_pass.yaml"), bad, "--junit", xml_c, "--out", blocker)
    check(r.returncode == 3, f"suite with an unwritable results folder: exit {r.returncode}, want 3")
    suites = junit(xml_c)
    cases = suites.get("suite_pass", []) or suites.get("a_pass", [])
    check(len(cases) == 1 and len(cases[0]) == 1 and cases[0][0].get("type") == "run_failed",
          f"run_failed testcase {[(c.get('name'), [(v.tag, v.attrib) for v in c]) for c in cases]}")

    # 4. Missing input, or a folder without scenarios: exit 2 with one error line.
    r = run("suite", os.path.join(tmp, "nowhere"))
    check(r.returncode == 2 and "is not a file or folder" in r.stderr and len(r.stderr.splitlines()) == 1,
          f"missing input: exit {r.returncode}, {r.stderr!r}")
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty)
    r = run("suite", empty)
    check(r.returncode == 2 and "holds no scenario" in r.stderr, f"empty folder: exit {r.returncode}, {r.stderr!r}")
    r = run("suite", good, "--jobs", "0")
    check(r.returncode == 2, f"--jobs 0: exit {r.returncode}")

    # 5. `run`: exit 1 on a failing expect, 0 when all pass; the verdicts in summary.json and on stdout.
    r = run("run", os.path.join(good, "nested", "b_fail.yaml"), "--out", out, "--print-dir")
    check(r.returncode == 1, f"run with a failing assertion: exit {r.returncode}, want 1 ({r.stderr})")
    check(re.search(r"^PASS +telemetry\.completeness = \S+, expected >= 0\.5$", r.stdout, re.M) is not None
          and re.search(r"^FAIL +telemetry\.completeness = \S+, expected >= 1\.01$", r.stdout, re.M) is not None,
          f"run output {r.stdout!r}")
    directory = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    summary_path = os.path.join(directory, "summary.json")
    if check(os.path.isfile(summary_path), f"--print-dir printed {directory!r}"):
        with open(summary_path) as f:
            summary = json.load(f)
        check(summary["assertions_failed"] == 1 and summary["assertions_passed"] is False, "summary verdict")
        check([a["passed"] for a in summary["assertions"]] == [True, False], f"assertions {summary['assertions']}")
        check(summary["assertions"][1]["actual"] == summary["telemetry"]["completeness"], "actual value")
    xml_d = os.path.join(tmp, "d.xml")
    r = run("run", os.path.join(good, "a_pass.yaml"), "--out", out, "--quiet", "--junit", xml_d)
    check(r.returncode == 0 and r.stdout == "", f"run with passing assertions: exit {r.returncode}, {r.stdout!r}")
    suites = junit(xml_d)
    check(list(suites) == ["suite_pass"] and len(suites["suite_pass"]) == 3, f"run --junit suites {suites}")
    xml_e = os.path.join(tmp, "e.xml")
    r = run("run", bad, "--junit", xml_e)
    check(r.returncode == 2, f"run of an invalid scenario: exit {r.returncode}")
    suites = junit(xml_e)
    check(list(suites) == ["bad"] and suites["bad"][0][0].get("type") == "invalid_input", f"run --junit error {suites}")
    bad_expect = os.path.join(tmp, "bad_expect.yaml")
    write(bad_expect, scenario("bad_expect", ["telemetry.completeness => 1"]))
    r = run("validate", bad_expect)
    check(r.returncode == 2 and "bad_expect.yaml:19:5: expect[0]: 'telemetry.completeness => 1' has the comparison '=>'"
          in r.stderr, f"bad expect line: exit {r.returncode}, {r.stderr!r}")

    # 6. --quick applies the file's "# ci-set:" lines; the suite's own --set wins over them.
    quick = os.path.join(tmp, "quick", "q.yaml")
    write(quick, scenario("suite_quick", ["simulated_s == 1min"], extra="# ci-set: duration=1min\n# ci-set: seed=7\n"))
    r = run("suite", quick, "--quick", "--out", out)
    check(r.returncode == 0, f"--quick: exit {r.returncode}, {r.stdout!r}")
    r = run("suite", quick, "--out", out)
    check(r.returncode == 1 and "simulated_s = 120, expected == 1min" in r.stdout, f"without --quick: {r.stdout!r}")
    r = run("suite", quick, "--quick", "--set", "duration=3min", "--out", out)
    check(r.returncode == 1 and "simulated_s = 180, expected == 1min" in r.stdout, f"--quick --set: {r.stdout!r}")
    seeds = set()
    for root_dir, _, files in os.walk(os.path.join(out, "suite_quick")):
        for name in files:
            if name == "summary.json":
                with open(os.path.join(root_dir, name)) as f:
                    seeds.add(json.load(f)["seed"])
    check(seeds == {7, 42}, f"seeds of the quick runs {seeds}")

    # 7. Copies of one scenario in parallel, started in the same second: each gets its own folder.
    copies = os.path.join(tmp, "copies")
    for i in range(3):
        write(os.path.join(copies, f"copy{i}.yaml"), scenario("suite_copy", ["telemetry.completeness >= 0.5"]))
    r = run("suite", copies, "--jobs", "3", "--out", out)
    check(r.returncode == 0, f"parallel copies: exit {r.returncode}, {r.stdout!r}")
    folders = [d for d in os.listdir(os.path.join(out, "suite_copy"))]
    check(len(folders) == 3 and not [d for d in folders if d.startswith(".")], f"copies' folders {folders}")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("suite, expect and JUnit checks passed")
