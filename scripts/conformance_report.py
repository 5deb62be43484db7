#!/usr/bin/env python3
"""Writes the per-case tables of docs/conformance.md.

Runs build/tests/conformance_runner on every case of the SDXorg suite's case
lists (cases-xmile.tsv, cases-mdl.tsv) and writes one table per format
between the markers `<!-- cases:xmile -->` / `<!-- cases:mdl -->` and
`<!-- end cases -->` in docs/conformance.md (a missing section is appended).
Status: pass, fail (the runner's reason), or broken as shipped (a case whose
line in tests/conformance/known_failures_<format>.tsv starts with "broken as
shipped:", with the evidence there). Nothing is special-cased here: the
status is what the runner reports for the files as they are.

  scripts/conformance_report.py [--runner build/tests/conformance_runner]
                                [--suite ../shared/conformance/test-models]
                                [--doc docs/conformance.md] [--check]
--check: exit 1 if the document is not what the runs give (writes nothing).
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMATS = [("xmile", "cases-xmile.tsv", "XMILE"), ("mdl", "cases-mdl.tsv", "Vensim .mdl")]


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


def known(fmt):
    path = os.path.join(ROOT, "tests", "conformance", "known_failures_%s.tsv" % fmt)
    if not os.path.exists(path):
        return {}
    return {r[0]: (r[1] if len(r) > 1 else "") for r in read_tsv(path)}


def cell(s):
    s = " ".join(s.split())
    if len(s) > 300:
        s = s[:297] + "..."
    return s.replace("|", "\\|")


def run(runner, suite, model, expected):
    try:
        p = subprocess.run([runner, suite, model, expected], capture_output=True, text=True, timeout=300)
        out = p.stdout + p.stderr
        ok = p.returncode == 0
    except subprocess.TimeoutExpired:
        return False, "timed out after 300 s"
    if ok:
        return True, ""
    # The reason: the FAIL line and what follows it (the first diagnostic).
    lines = [l for l in out.splitlines() if l.strip()]
    for i, l in enumerate(lines):
        if l.startswith("FAIL "):
            reason = l.split(": ", 1)[1] if ": " in l else l
            rest = [x.strip() for x in lines[i + 1:]]
            errors = [x for x in rest if " error: " in x]
            rest = errors[:1] if errors else rest[:2]  # the first error, not the warnings before it
            rest = [x.replace(suite.rstrip("/") + "/", "") for x in rest]
            return False, " ".join([reason] + rest)
    return False, " ".join(lines[:2]) or "exit code %d" % p.returncode


def table(fmt, title, suite, runner):
    rows = read_tsv(os.path.join(suite, dict((f, c) for f, c, _ in FORMATS)[fmt]))[1:]
    listed = known(fmt)
    out = []
    counts = {"pass": 0, "fail": 0, "broken as shipped": 0}
    for r in rows:
        if len(r) < 2:
            continue
        model, expected = r[0], r[1]
        ok, reason = run(runner, suite, model, expected)
        if ok:
            status = "pass"
        elif listed.get(model, "").startswith("broken as shipped:"):
            status = "broken as shipped"
            reason = listed[model][len("broken as shipped:"):].strip() + " (runner: " + reason + ")"
        else:
            status = "fail"
            if model in listed and listed[model]:
                reason = listed[model] + " (runner: " + reason + ")"
        counts[status] += 1
        out.append("| `%s` | %s | %s | %s |" % (model, title, status, cell(reason)))
    head = ["%d cases: %d pass, %d fail, %d broken as shipped." % (
        len(out), counts["pass"], counts["fail"], counts["broken as shipped"]), "",
        "| case | format | status | reason |", "|---|---|---|---|"]
    return "\n".join(head + out) + "\n", counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", default=os.path.join(ROOT, "build", "tests", "conformance_runner"))
    ap.add_argument("--suite", default=os.path.join(os.path.dirname(ROOT), "shared", "conformance", "test-models"))
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "conformance.md"))
    ap.add_argument("--format", choices=[f for f, _, _ in FORMATS], action="append")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(a.runner):
        sys.exit("no conformance_runner at %s: build it (cmake --build build --target conformance_runner)" % a.runner)
    doc = open(a.doc, encoding="utf-8").read()
    new = doc
    for fmt, cases, title in FORMATS:
        if a.format and fmt not in a.format:
            continue
        if not os.path.exists(os.path.join(a.suite, cases)):
            sys.exit("no case list at %s" % os.path.join(a.suite, cases))
        body, counts = table(fmt, title, a.suite, a.runner)
        print("%s: %d pass, %d fail, %d broken as shipped" % (title, counts["pass"], counts["fail"],
                                                              counts["broken as shipped"]))
        begin, end = "<!-- cases:%s -->" % fmt, "<!-- end cases -->"
        pat = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        block = begin + "\n" + body + end
        if pat.search(new):
            new = pat.sub(lambda m: block, new)
        else:
            new = new.rstrip("\n") + "\n\n## Cases: %s (generated)\n\n%s\n" % (title, block)
    if a.check:
        if new != doc:
            import difflib
            sys.stdout.writelines(list(difflib.unified_diff(doc.splitlines(True), new.splitlines(True),
                                                            a.doc, "what the runs give"))[:60])
            sys.exit("%s is not what the runs give: run scripts/conformance_report.py to update it" % a.doc)
        sys.exit(0)
    with open(a.doc, "w", encoding="utf-8") as f:
        f.write(new)


if __name__ == "__main__":
    main()
