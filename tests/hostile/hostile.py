#!/usr/bin/python3
"""Hostile-input suite (docs/reliability.md, "Hostile inputs"): one case per
class of issue 13 -- crash, hang, unbounded memory, data loss or mixed
output, silently accepted input, misleading message. Each case builds its
inputs in a fresh directory, runs sdsim under a wall-clock timeout and (unless
the build is sanitized) an address-space limit (RLIMIT_AS), and asserts the
exit code, the message, the peak resident memory of the sdsim process, and
what is on disk afterwards.

  hostile.py SDSIM CASE      run one case (ctest: hostile.CASE)
  hostile.py SDSIM --list    the case names (tests/cmake/hostile.cmake)
"""
import hashlib
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

SDSIM = None
SANITIZED = os.environ.get("SIM_SANITIZED") == "1"
MB = 1 << 20

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


class Fail(Exception):
    pass


class Skip(Exception):
    """The case cannot run here (reported to ctest as skipped, exit 77)."""


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, mode) as f:
        f.write(text)
    return path


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def tree_digest(d):
    """{relative path: sha256} of every file under d (the set a reader sees)."""
    out = {}
    for root, _, files in os.walk(d):
        for n in files:
            p = os.path.join(root, n)
            out[os.path.relpath(p, d)] = digest(p)
    return out


def sdsim(args, cwd, rc=None, err=None, out=None, as_mb=1024, rss_mb=200, timeout=60, stdin=None, env=None):
    """Runs sdsim; checks the exit code, regexes over stderr/stdout, the peak
    RSS (MiB) and the address-space limit. Returns (stdout, stderr)."""
    def limit():
        if as_mb and not SANITIZED:
            resource.setrlimit(resource.RLIMIT_AS, (as_mb * MB, as_mb * MB))
    pid_env = dict(os.environ)
    if env:
        pid_env.update(env)
    start = time.monotonic()
    p = subprocess.Popen([SDSIM] + args, cwd=cwd, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit, env=pid_env)
    try:
        o, e = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Fail("sdsim %s: no exit within %d s (a hang)" % (" ".join(args), timeout))
    used = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0  # KiB -> MiB; one child per case
    o, e = o.decode("utf-8", "replace"), e.decode("utf-8", "replace")
    where = "sdsim %s\n--- exit %d, %.1f s, peak RSS %.0f MiB\n--- stderr:\n%s--- stdout:\n%s" % (
        " ".join(args), p.returncode, time.monotonic() - start, used, e, o[:2000])
    if rc is not None and p.returncode != rc:
        raise Fail("expected exit %d\n%s" % (rc, where))
    if err is not None and not re.search(err, e, re.S):
        raise Fail("stderr does not match %r\n%s" % (err, where))
    if out is not None and not re.search(out, o, re.S):
        raise Fail("stdout does not match %r\n%s" % (out, where))
    if rss_mb and not SANITIZED and used > rss_mb:
        raise Fail("peak RSS %.0f MiB above the bound of %d MiB\n%s" % (used, rss_mb, where))
    print(where)
    return o, e


def expect(cond, what):
    if not cond:
        raise Fail(what)


MODEL = """name: decay
sim: {start: 0, stop: 10, dt: 0.5}
stocks:
  x: {initial: 100, outflows: [draining]}
flows:
  draining: x * rate
constants:
  rate: 0.1
"""

LEVER_MODEL = """name: levers
sim: {start: 0, stop: 10, dt: 0.5}
stocks:
  x: {initial: 100, outflows: [draining]}
flows:
  draining: x * rate * (1 - 0.3 * a_lever - 0.2 * b_lever - 0.1 * c_lever)
constants:
  rate: 0.1
levers:
  a: {title: A, start: 2}
  b: {title: B, start: 3}
  c: {title: C, start: 4}
"""


def xmile(variables, specs="<start>0</start><stop>10</stop><dt>1</dt>", extra="", decl='<?xml version="1.0" encoding="utf-8"?>'):
    return (decl + '\n<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">\n'
            "<header><name>t</name></header>\n<sim_specs>" + specs + "</sim_specs>\n" + extra +
            "<model><variables>\n" + variables + "\n</variables></model>\n</xmile>\n")


# ---------------------------------------------------------------- crash

@case
def crash_deep_xmile(d):
    """~50,000 nested elements (350 KB): was a stack overflow in a recursive check."""
    depth = 50000
    write(d + "/deep.xmile", xmile('<aux name="a"><eqn>1</eqn></aux>', extra="<a>" * depth + "</a>" * depth))
    expect(os.path.getsize(d + "/deep.xmile") > 300000, "input too small")
    for cmd, stream in (("run", "err"), ("check", "out")):
        sdsim([cmd, "deep.xmile"], d, rc=1, **{stream: r"deep\.xmile:5:\d+: error: XML elements are nested more than 200 "
              r"deep here; the limit is 200 \(raise it with --max-depth\) \[E-LIMIT\]"})


@case
def crash_deep_yaml_flow(d):
    write(d + "/deep.yaml", "name: x\nconstants:\n  a: " + "[" * 100000 + "\n")
    sdsim(["run", "deep.yaml"], d, rc=1, err=r"deep\.yaml:3:\d+: error: the YAML is nested more than 200 levels "
          r"deep here; the limit is 200 \(raise it with --max-depth\) \[E-LIMIT\]")


@case
def crash_deep_yaml_block(d):
    text = "name: x\n" + "".join(" " * i + "k%d:\n" % i for i in range(400)) + " " * 400 + "v: 1\n"
    write(d + "/deep.yaml", text)
    sdsim(["check", "deep.yaml"], d, rc=1, out=r"deep\.yaml:\d+:\d+: error: the YAML is nested more than 200 "
          r"levels deep here.*\[E-LIMIT\]")


@case
def crash_deep_scenario_yaml(d):
    write(d + "/m.yaml", MODEL)
    write(d + "/s.yaml", "model: m.yaml\nset: " + "{a: " * 5000 + "\n")
    sdsim(["run", "s.yaml"], d, rc=1, err=r"s\.yaml:2:\d+: error: the YAML is nested more than 200.*\[E-LIMIT\]")


@case
def crash_module_chain_deep(d):
    """A long but not recursive chain of modules: the depth limit, not 'contains itself'."""
    n = 300
    models = ['<model><variables><module name="m1"/></variables></model>']
    for i in range(1, n):
        models.append('<model name="m%d"><variables><aux name="v"><eqn>1</eqn></aux>'
                      '<module name="m%d"/></variables></model>' % (i, i + 1))
    models.append('<model name="m%d"><variables><aux name="v"><eqn>1</eqn></aux></variables></model>' % n)
    text = ('<?xml version="1.0"?>\n<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">\n'
            "<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>\n" + "\n".join(models) + "\n</xmile>\n")
    write(d + "/chain.xmile", text)
    o, e = sdsim(["check", "chain.xmile"], d, rc=1, out=r"error: variable '(m\d+\.)+m\d+': modules are nested more "
                 r"than 200 deep here; the limit is 200 \(raise it with --max-depth\) \[E-LIMIT\]")
    expect("contains itself" not in o, "a non-recursive chain reported as recursion")
    sdsim(["check", "chain.xmile", "--max-depth", "1000"], d, rc=0, out=r"chain\.xmile: 0 errors")


@case
def crash_module_recursive(d):
    text = ('<?xml version="1.0"?>\n<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">\n'
            "<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>\n"
            '<model><variables><module name="a"/></variables></model>\n'
            '<model name="a"><variables><module name="b"/></variables></model>\n'
            '<model name="b"><variables><module name="a"/></variables></model>\n</xmile>\n')
    write(d + "/rec.xmile", text)
    sdsim(["check", "rec.xmile"], d, rc=1, out=r"rec\.xmile:6:\d+: error: variable 'a\.b\.a': module 'a' contains "
          r"itself \(a -> b -> a\)")


# ---------------------------------------------------------------- hang

@case
def hang_fifo_model(d):
    """A FIFO as the model file is read once, as a stream."""
    os.mkfifo(d + "/m.yaml")
    pid = os.fork()
    if pid == 0:
        with open(d + "/m.yaml", "w") as f:
            f.write(MODEL)
        os._exit(0)
    try:
        sdsim(["run", "m.yaml"], d, rc=0, out=r"^time,x,draining,rate\n0,100,10,0\.1\n", timeout=20)
    finally:
        os.waitpid(pid, 0)


@case
def hang_pipe_model(d):
    """A pipe (/dev/stdin): the file is read once; scenario detection does not consume it."""
    write(d + "/m.yaml", MODEL)
    with open(d + "/m.yaml") as f:
        sdsim(["run", "/dev/stdin"], d, rc=0, out=r"^time,x,draining,rate\n", stdin=f, timeout=20)
    s = "model: %s/m.yaml\nset: {rate: 0.2}\n" % d
    r, w = os.pipe()
    os.write(w, s.encode())
    os.close(w)
    sdsim(["run", "/dev/stdin"], d, rc=0, out=r"^time,x,draining,rate\n0,100,20,0\.2\n", stdin=r, timeout=20,
          err=r"scenario: stdin\nscenario file: /dev/stdin sha256:" + hashlib.sha256(s.encode()).hexdigest())
    os.close(r)


@case
def hang_fifo_extends(d):
    """`extends:` naming a FIFO nobody writes to: refused at once, not a hang."""
    write(d + "/m.yaml", MODEL)
    os.mkfifo(d + "/base.yaml")
    write(d + "/s.yaml", "model: m.yaml\nextends: base.yaml\n")
    sdsim(["run", "s.yaml"], d, rc=1, timeout=10,
          err=r"s\.yaml:2:10: error: 'extends: base\.yaml': 'base\.yaml' is a FIFO \(named pipe\), not a regular file; "
              r"a file named inside another file must be a regular file \[E-IO\]")


@case
def hang_fifo_scenario_model(d):
    os.mkfifo(d + "/m.yaml")
    write(d + "/s.yaml", "model: m.yaml\n")
    sdsim(["check", "s.yaml"], d, rc=1, timeout=10,
          out=r"s\.yaml:1:8: error: 'model: m\.yaml': 'm\.yaml' is a FIFO \(named pipe\), not a regular file")


# ---------------------------------------------------------------- unbounded memory

@case
def memory_dev_zero(d):
    sdsim(["run", "/dev/zero"], d, rc=1, as_mb=512, rss_mb=250,
          err=r"^/dev/zero: error: '/dev/zero' is more than 64 MiB \(a stream, read up to the limit\), larger than "
              r"the input size limit; the limit is 64 MiB \(raise it with --max-input\) \[E-LIMIT\]\n$")


@case
def memory_large_file(d):
    """A 100 MB file is refused from its size, before it is read."""
    with open(d + "/big.yaml", "wb") as f:
        f.truncate(100 * MB)
    sdsim(["run", "big.yaml"], d, rc=1, rss_mb=50,
          err=r"big\.yaml: error: 'big\.yaml' is 100 MiB, larger than the input size limit; the limit is 64 MiB "
              r"\(raise it with --max-input\) \[E-LIMIT\]")
    write(d + "/m.yaml", MODEL)
    sdsim(["run", "m.yaml", "--max-input", "100"], d, rc=1,
          err=r"'m\.yaml' is \d+ bytes, larger than the input size limit; the limit is 100 bytes \(raise it with "
              r"--max-input\)")


@case
def memory_module_fanout(d):
    """10 levels of 10 instances each: 10^10 instances from 2 KB of XML."""
    models = ['<model><variables><module name="l1a"/></variables></model>']
    for lvl in range(1, 11):
        kids = "".join('<module name="l%d%s"/>' % (lvl + 1, c) for c in "abcdefghij") if lvl < 10 else ""
        for c in "abcdefghij":
            models.append('<model name="l%d%s"><variables><aux name="v"><eqn>1</eqn></aux>%s</variables></model>'
                          % (lvl, c, kids))
    text = ('<?xml version="1.0"?>\n<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">\n'
            "<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>\n" + "\n".join(models) + "\n</xmile>\n")
    write(d + "/fan.xmile", text)
    sdsim(["check", "fan.xmile"], d, rc=1, rss_mb=150, timeout=60,
          out=r"error: variable '[a-z0-9.]+': the model has more than 10000 module instances \(each <module> is "
              r"instantiated once per instance of the model holding it\); the limit is 10000 \(raise it with "
              r"--max-modules\) \[E-LIMIT\]")


VENSIM_CONTROLS = "INITIAL TIME = 0 ~~|\nFINAL TIME = 1 ~~|\nTIME STEP = 1 ~~|\n"


@case
def memory_vensim_macro_doubling(d):
    """60 bytes of macro doubling its argument at each of 32 levels: 2^32 nodes."""
    write(d + "/twice.mdl", "{UTF-8}\n:MACRO: F(x)\nF = F(x+x) ~~|\n:END OF MACRO:\ny = F(1) ~~|\n" + VENSIM_CONTROLS)
    sdsim(["check", "twice.mdl", "--max-operations", "200000"], d, rc=1, rss_mb=100, timeout=60,
          out=r"^twice\.mdl:3:\d+: error: variable 'F#\d+\.F': the model's equations expand \(macros, array functions\) "
              r"to too many operations; the limit is 200000 \(raise it with --max-operations\) \[E-LIMIT\]\ntwice\.mdl: 1 error, 0 warnings\n$")


@case
def memory_vensim_numbered_ranges(d):
    """300 one-line numbered ranges of 100,000 elements each (7 KB): 30,000,000 names."""
    text = "{UTF-8}\n" + "".join("D%d: (p1-p100000) ~~|\n" % i for i in range(300)) + "x = 1 ~~|\n" + VENSIM_CONTROLS
    write(d + "/ranges.mdl", text)
    sdsim(["check", "ranges.mdl", "--max-elements", "150000"], d, rc=1, rss_mb=100, timeout=60,
          out=r"ranges\.mdl:3:4: error: variable 'D1': the numbered ranges up to '\(p1-p100000\)' have 200000 "
              r"elements together; the limit is 150000 \(raise it with --max-elements\) \[E-LIMIT\]")


@case
def memory_huge_dimension(d):
    """359 bytes declaring 10^8 elements."""
    text = xmile('<aux name="a"><dimensions><dim name="d"/></dimensions><eqn>1</eqn></aux>',
                 extra='<dimensions><dim name="d" size="100000000"/></dimensions>\n')
    write(d + "/dim.xmile", text)
    sdsim(["run", "dim.xmile"], d, rc=1, rss_mb=50,
          err=r"dim\.xmile:5:\d+: error: dimension 'd' declares 100000000 elements; the limit is 1000000 \(raise it "
              r"with --max-elements\) \[E-LIMIT\]")


@case
def memory_many_variables(d):
    text = "name: many\nsim: {start: 0, stop: 1, dt: 1}\nconstants:\n" + "".join("  c%d: %d\n" % (i, i) for i in range(3000))
    write(d + "/many.yaml", text)
    sdsim(["check", "many.yaml", "--max-variables", "2000"], d, rc=1,
          out=r"many\.yaml: error: the model has 3000 variables after expansion; the limit is 2000 \(raise it with "
              r"--max-variables\) \[E-LIMIT\]")
    sdsim(["check", "many.yaml"], d, rc=0)


@case
def memory_results_buffer(d):
    """stop: 1e9 would need 30 GB of results: refused before anything is allocated, whatever --max-seconds says."""
    write(d + "/long.yaml", MODEL.replace("stop: 10, dt: 0.5", "stop: 1e9, dt: 1"))
    for extra in ([], ["--max-seconds", "1"]):
        sdsim(["run", "long.yaml"] + extra, d, rc=1, rss_mb=50, timeout=20,
              err=r"^error: the run would keep 1000000001 rows x 4 columns, about 29\.8 GiB, more than the memory budget "
                  r"of [0-9.]+ [MG]iB \(raise it with --max-memory\);.* Nothing was run \[E-MEMORY\]\n$")
    sdsim(["run", "long.yaml", "--max-memory", "100M"], d, rc=1, rss_mb=50,
          err=r"^option --max-memory: error: the run would keep 1000000001 rows x 4 columns, about 29\.8 GiB, more than the "
              r"memory budget of 100 MiB")


@case
def memory_budget_during_run(d):
    """A long run that keeps little: --max-seconds stops it while it runs and says so."""
    write(d + "/long.yaml", MODEL.replace("stop: 10, dt: 0.5", "stop: 1e9, dt: 1, save_step: 1e7"))
    sdsim(["run", "long.yaml", "--max-seconds", "1"], d, rc=1, rss_mb=50, timeout=20,
          err=r"error: .*wall-clock.*\[E-BUDGET\]")


@case
def memory_out_of_memory(d):
    """The address space runs out during the run: reported as memory, not as an integrator failure."""
    if SANITIZED:
        raise Skip("needs RLIMIT_AS, which a sanitized build cannot run under")
    write(d + "/long.yaml", MODEL.replace("stop: 10, dt: 0.5", "stop: 2e7, dt: 1"))
    o, e = sdsim(["run", "long.yaml", "--max-memory", "100G"], d, rc=1, as_mb=300, rss_mb=0,
                 err=r"error: out of memory while running.*\[E-MEMORY\]" if not SANITIZED else None)
    expect("integrator failed" not in e, "out of memory reported as an integrator failure")


@case
def memory_compare_series(d):
    """compare keeps only what it reports; what it keeps is estimated before the runs."""
    write(d + "/m.yaml", LEVER_MODEL.replace("stop: 10, dt: 0.5", "stop: 1e6, dt: 0.5"))
    sdsim(["compare", "m.yaml", "--max-memory", "100M", "--threads", "1"], d, rc=1, rss_mb=60,
          err=r"error: the run would keep 2e\+06 rows|error: the comparison of 3 levers would keep .* more than the "
              r"memory budget of 100 MiB \(raise it with --max-memory\)")


# ---------------------------------------------------------------- data loss, mixed output

@case
def output_is_model(d):
    write(d + "/m.yaml", MODEL)
    before = digest(d + "/m.yaml")
    sdsim(["run", "m.yaml", "--out", "m.yaml"], d, rc=1,
          err=r"^sdsim: error: 'm\.yaml' is the input file 'm\.yaml'; writing the output there would replace it")
    expect(digest(d + "/m.yaml") == before, "the model was changed")
    os.symlink("m.yaml", d + "/link.csv")
    sdsim(["run", "m.yaml", "--out", "link.csv"], d, rc=1, err=r"'link\.csv' is the input file 'm\.yaml'")
    expect(digest(d + "/m.yaml") == before, "the model was changed through a link")


@case
def output_is_scenario_input(d):
    write(d + "/m.yaml", MODEL)
    write(d + "/base.yaml", "model: m.yaml\n")
    write(d + "/s.yaml", "extends: base.yaml\n")
    for target in ("base.yaml", "m.yaml"):
        before = digest(d + "/" + target)
        sdsim(["run", "s.yaml", "--out", target], d, rc=1, err=r"is the input file")
        expect(digest(d + "/" + target) == before, target + " was changed")
    # The sidecar of a CSV is an output too.
    sdsim(["run", "s.yaml", "--out", "base.yaml", "--format", "json"], d, rc=1, err=r"is the input file")


@case
def output_sidecar_failure(d):
    """A scenario's CSV and its .meta.json: a sidecar that cannot be written leaves the old CSV."""
    write(d + "/m.yaml", MODEL)
    write(d + "/s.yaml", "model: m.yaml\n")
    write(d + "/out.csv", "old\n")
    write(d + "/out.csv.meta.json", "{}\n")
    os.chmod(d + "/out.csv.meta.json", 0o444)
    sdsim(["run", "s.yaml", "--out", "out.csv"], d, rc=1, err=r"'out\.csv\.meta\.json' is read-only")
    expect(open(d + "/out.csv").read() == "old\n", "the CSV was replaced although its sidecar failed")
    os.chmod(d + "/out.csv.meta.json", 0o644)
    sdsim(["run", "s.yaml", "--out", "out.csv"], d, rc=0)
    expect(open(d + "/out.csv").read().startswith("time,"), "CSV not written")
    expect('"output":"out.csv"' in open(d + "/out.csv.meta.json").read(), "sidecar not written")


@case
def output_read_only(d):
    write(d + "/m.yaml", MODEL)
    write(d + "/out.csv", "keep me\n")
    os.chmod(d + "/out.csv", 0o444)
    sdsim(["run", "m.yaml", "--out", "out.csv"], d, rc=1,
          err=r"^sdsim: error: 'out\.csv' is read-only; make it writable \(chmod u\+w\) or write elsewhere; it was "
              r"not replaced\n$")
    expect(open(d + "/out.csv").read() == "keep me\n", "read-only output replaced")


@case
def output_dangling_symlink(d):
    """--out on a dangling link creates the file the link names; the link stays."""
    write(d + "/m.yaml", MODEL)
    os.makedirs(d + "/results")
    os.symlink("results/run.csv", d + "/latest.csv")
    sdsim(["run", "m.yaml", "--out", "latest.csv"], d, rc=0)
    expect(os.path.islink(d + "/latest.csv"), "the link was replaced")
    expect(open(d + "/results/run.csv").read().startswith("time,x"), "the link's target was not written")


def compare_sets(d):
    """Two complete output sets of one model: 2 levers and 3 levers."""
    write(d + "/m.yaml", LEVER_MODEL.replace("dt: 0.5", "dt: 0.001"))
    sdsim(["compare", "m.yaml", "--no-charts", "--levers", "a,b", "--out", "two"], d, rc=0, rss_mb=0)
    sdsim(["compare", "m.yaml", "--no-charts", "--levers", "a,b,c", "--out", "three"], d, rc=0, rss_mb=0)
    two, three = tree_digest(d + "/two"), tree_digest(d + "/three")
    expect(two != three and set(two) == set(three), "the two sets should differ in content, not in names")
    return two, three


@case
def output_compare_kill(d):
    """SIGKILL at many moments of `compare --out DIR`: DIR holds the old set or the new one, never a mix."""
    two, three = compare_sets(d)
    shutil.copytree(d + "/two", d + "/out")
    seen = set()
    for delay in [0.02 * i for i in range(1, 25)]:
        p = subprocess.Popen([SDSIM, "compare", "m.yaml", "--no-charts", "--levers", "a,b,c", "--threads", "1",
                              "--out", "out"], cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        now = tree_digest(d + "/out")
        expect(now in (two, three), "after SIGKILL at %.2f s the directory is a mix: %r" % (delay, now))
        seen.add("old" if now == two else "new")
        if now == three:
            shutil.rmtree(d + "/out")
            shutil.copytree(d + "/two", d + "/out")
    print("states seen after kills:", sorted(seen))
    # A later run cleans up what killed runs left beside DIR.
    sdsim(["compare", "m.yaml", "--no-charts", "--levers", "a,b", "--out", "out"], d, rc=0, rss_mb=0)
    left = [n for n in os.listdir(d) if n.startswith(".out.")]
    expect(not left, "temporaries left beside the output: %r" % left)


@case
def output_compare_concurrent(d):
    """Two compares on one DIR at once: both succeed, DIR ends as one complete set."""
    two, three = compare_sets(d)
    for _ in range(3):
        a = subprocess.Popen([SDSIM, "compare", "m.yaml", "--no-charts", "--levers", "a,b", "--out", "same"], cwd=d,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        b = subprocess.Popen([SDSIM, "compare", "m.yaml", "--no-charts", "--levers", "a,b,c", "--out", "same"], cwd=d,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ea, eb = a.communicate()[1], b.communicate()[1]
        expect(a.returncode == 0 and b.returncode == 0, "a concurrent compare failed: %r %r" % (ea, eb))
        now = tree_digest(d + "/same")
        expect(now in (two, three), "concurrent compares left a mix: %r" % now)


@case
def output_compare_foreign_dir(d):
    """--out naming a directory with other files: refused, nothing removed."""
    write(d + "/m.yaml", LEVER_MODEL)
    write(d + "/notes.txt", "mine\n")
    before = tree_digest(d)
    sdsim(["compare", "m.yaml", "--no-charts", "--out", "."], d, rc=1,
          err=r"sdsim: error: '\.' holds the input file 'm\.yaml'; the output directory is replaced as a whole")
    os.makedirs(d + "/other")
    write(d + "/other/notes.txt", "mine\n")
    sdsim(["compare", "m.yaml", "--no-charts", "--out", "other"], d, rc=1,
          err=r"'other' already holds 'notes\.txt', which this output does not make")
    expect(tree_digest(d) == before | {"other/notes.txt": digest(d + "/other/notes.txt")}, "files changed")


@case
def output_compare_chart_failure(d):
    """gnuplot failing: a warning, and a complete, consistent set (the report says so)."""
    write(d + "/m.yaml", LEVER_MODEL)
    write(d + "/bin/gnuplot", "#!/bin/sh\nexit 3\n")
    os.chmod(d + "/bin/gnuplot", 0o755)
    env = {"PATH": d + "/bin:" + os.environ.get("PATH", "")}
    sdsim(["compare", "m.yaml", "--out", "out"], d, rc=0, rss_mb=0, env=env, err=r"warning: charts not made")
    report = open(d + "/out/report.md").read()
    expect("Charts were not made" in report, "report.md does not say the charts failed")
    for f in ("combinations.csv", "effects.csv", "trajectories.csv", ".sdsim-output"):
        expect(os.path.exists(d + "/out/" + f), f + " missing")


# ---------------------------------------------------------------- silently accepted

@case
def accepted_negative_delay(d):
    write(d + "/m.yaml", MODEL.replace("  draining: x * rate", "  draining: DELAY1(x * rate, -2)"))
    sdsim(["check", "m.yaml"], d, rc=1, out=r"m\.yaml:6:30: error: variable 'draining': DELAY1: the delay or averaging "
          r"time is -2; it must be zero or positive .*\[E-DELAY-TIME\]")
    write(d + "/c.yaml", MODEL.replace("  draining: x * rate", "  draining: SMTH1(x * rate, lag)") + "  lag: -3\n")
    sdsim(["check", "c.yaml"], d, rc=1, out=r"c\.yaml:6:29: error: variable 'draining': SMTH1: the delay or averaging "
          r"time is -3")
    write(d + "/f.yaml", MODEL.replace("  draining: x * rate", "  draining: DELAY FIXED(x * rate, 2 - TIME, 0)"))
    sdsim(["run", "f.yaml"], d, rc=1, err=r"error: variable 'draining': the delay time of DELAY FIXED became -0\.5 in "
          r"the step to time 3; it must be zero or positive.*\[E-DELAY-TIME\]")


@case
def accepted_flow_twice(d):
    write(d + "/m.yaml", MODEL.replace("outflows: [draining]", "outflows: [draining, draining]"))
    sdsim(["check", "m.yaml"], d, rc=1, out=r"m\.yaml:4:3: error: variable 'x': outflow 'draining' is listed twice "
          r"for stock 'x'; list each flow once \[E-FLOW-LIST\]")
    write(d + "/b.yaml", MODEL.replace("outflows: [draining]", "inflows: [draining], outflows: [draining]"))
    sdsim(["check", "b.yaml"], d, rc=1, out=r"b\.yaml:4:3: error: variable 'x': flow 'draining' is both an inflow and "
          r"an outflow of stock 'x'")
    text = xmile('<stock name="s"><eqn>1</eqn><inflow>f</inflow><inflow>f</inflow></stock><flow name="f"><eqn>1</eqn></flow>')
    write(d + "/x.xmile", text)
    sdsim(["check", "x.xmile"], d, rc=1, out=r"error: variable 's': inflow 'f' is listed twice .*\[E-FLOW-LIST\]")


@case
def accepted_dt_longer_than_run(d):
    write(d + "/m.yaml", MODEL.replace("dt: 0.5", "dt: 20"))
    sdsim(["check", "m.yaml"], d, rc=1, out=r"m\.yaml:2:31: error: dt 20 is longer than the run from 0 to 10; there "
          r"would be no time step: use a dt of at most 10 \[E-DT\]")
    write(d + "/s.yaml", MODEL.replace("dt: 0.5}", "dt: 0.5, save_step: 50}"))
    sdsim(["check", "s.yaml"], d, rc=1, out=r"s\.yaml:2:47: error: save step 50 is longer than the run from 0 to 10; "
          r"only the initial row would be saved")
    write(d + "/ok.yaml", MODEL)
    sdsim(["run", "ok.yaml", "--dt", "100"], d, rc=1, err=r"^option --dt: error: dt 100 is longer than the run")
    sdsim(["run", "ok.yaml", "--stop", "0.1"], d, rc=1, err=r"^option --stop: error: dt 0\.5 is longer than the run "
          r"from 0 to 0\.1")


@case
def accepted_unicode_names(d):
    """Names that differ only by normalisation or invisible characters."""
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    write(d + "/n.yaml", "name: n\nsim: {start: 0, stop: 1, dt: 1}\nconstants:\n  %s: 1\n  %s: 2\n" % (nfc, nfd))
    sdsim(["check", "n.yaml"], d, rc=1, out="n\\.yaml:5:3: error: variable 'cafe\u0301': 'cafe\u0301' is already defined as a constant at line 4 "
          r"\(names ignore case, spaces and underscores; Unicode names are compared after NFC normalisation\).*"
          r"\[E-DUPLICATE\]")
    write(d + "/r.yaml", "name: r\nsim: {start: 0, stop: 1, dt: 1}\nconstants:\n  %s: 1\naux:\n  y: %s * 2\n" % (nfd, nfc))
    sdsim(["run", "r.yaml"], d, rc=0, out="^time,y,cafe\u0301\n0,2,1\n")
    write(d + "/z.yaml", "name: z\nsim: {start: 0, stop: 1, dt: 1}\nconstants:\n  ab: 1\n  \"a\u200bb\": 2\n")
    sdsim(["check", "z.yaml"], d, rc=1, out=r"z\.yaml:5:3: error: variable 'a<U\+200B>b': the name 'a<U\+200B>b' holds "
          r"the invisible character U\+200B .*\[E-BAD-NAME\]")
    write(d + "/s.yaml", "name: s\nsim: {start: 0, stop: 1, dt: 1}\nconstants:\n  a b: 1\n  \"a\u00a0b\": 2\n")
    sdsim(["check", "s.yaml"], d, rc=1, out=r"s\.yaml:5:3: error: .* is already defined as a constant at line 4.*\[E-DUPLICATE\]")


@case
def accepted_control_in_names(d):
    write(d + "/n.yaml", 'name: n\nsim: {start: 0, stop: 1, dt: 1}\nconstants:\n  "a\\0b": 1\n  "c\\x07": 2\n')
    o, _ = sdsim(["check", "n.yaml"], d, rc=1, out=r"n\.yaml:4:3: error: variable 'a<U\+0000>b': the name "
                 r"'a<U\+0000>b' holds a NUL character.*n\.yaml:5:3: error: variable 'c<U\+0007>': the name 'c<U\+0007>' "
                 r"holds the control character U\+0007")
    expect("\0" not in o, "a NUL byte reached the output")
    write(d + "/e.yaml", MODEL.replace("x * rate", '\'"x\u200b" * rate\''))
    sdsim(["check", "e.yaml"], d, rc=1, out=r"e\.yaml:6:15: error: variable 'draining': the quoted name "
          r"\"x<U\+200B>\" holds the invisible character U\+200B")


@case
def accepted_encodings(d):
    write(d + "/l.yaml", MODEL.replace("name: decay", "name: d\xe9cay").encode("latin-1"), "wb")
    sdsim(["check", "l.yaml"], d, rc=1, out=r"l\.yaml:1:8: error: the file is not UTF-8 text: byte 0xE9, which is not "
          r"valid UTF-8 at byte 7; save the YAML file as UTF-8 \[E-ENCODING\]")
    x = xmile('<aux name="caf\xe9"><eqn>1</eqn></aux>')
    write(d + "/raw.xmile", x.encode("latin-1"), "wb")
    sdsim(["check", "raw.xmile"], d, rc=1, out=r"raw\.xmile:6:\d+: error: the file is not UTF-8 text: byte 0xE9.*"
          r"declare its encoding")
    decl = xmile('<aux name="caf\xe9"><eqn>1</eqn></aux>', decl='<?xml version="1.0" encoding="ISO-8859-1"?>')
    write(d + "/latin1.xmile", decl.encode("latin-1"), "wb")
    sdsim(["run", "latin1.xmile"], d, rc=0, out="^time,caf\u00e9\n")
    write(d + "/nope.xmile", xmile('<aux name="a"><eqn>1</eqn></aux>', decl='<?xml version="1.0" encoding="X-NOPE"?>'))
    sdsim(["check", "nope.xmile"], d, rc=1, out=r"nope\.xmile:1:1: error: the file declares the encoding 'X-NOPE', "
          r"which is not known here")
    write(d + "/u16.yaml", ("\ufeff" + MODEL).encode("utf-16-le"), "wb")
    sdsim(["run", "u16.yaml"], d, rc=0, out=r"^time,x,draining,rate\n")



VENSIM_TAIL = """
FINAL TIME = 10 ~ Month ~ |
INITIAL TIME = 0 ~ Month ~ |
SAVEPER = TIME STEP ~ Month ~ |
TIME STEP = 1 ~ Month ~ |

\\\\\\---/// Sketch information - do not modify anything except names
"""


@case
def accepted_vensim_text_and_limits(d):
    """The Vensim reader decodes and bounds its input as the YAML and XMILE readers do."""
    write(d + "/l.mdl", ("caf\xe9 = 1 ~~|\n" + VENSIM_TAIL).encode("latin-1"), "wb")
    sdsim(["check", "l.mdl"], d, rc=1, out=r"l\.mdl:1:4: error: the file is not UTF-8 text: byte 0xE9, which is not "
          r"valid UTF-8 at byte 3; save the Vensim file as UTF-8 \(a \.mdl without the \{UTF-8\} marker is in the "
          r"Windows code page .*iconv -f WINDOWS-1252 -t UTF-8\) \[E-ENCODING\]")
    write(d + "/u16.mdl", ("\ufeff{UTF-8}\ncaf\u00e9 = 1 ~~|\ny = caf\u00e9 * 2 ~~|\n" + VENSIM_TAIL).encode("utf-16-le"), "wb")
    sdsim(["run", "u16.mdl"], d, rc=0, out="^time,")
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    write(d + "/n.mdl", "{UTF-8}\n%s = 1 ~~|\ny = %s * 2 ~~|\n" % (nfd, nfc) + VENSIM_TAIL)
    sdsim(["run", "n.mdl"], d, rc=0, out="\n0,1,2\n")
    write(d + "/nul.mdl", "{UTF-8}\na\0b = 1 ~~|\n" + VENSIM_TAIL)
    sdsim(["check", "nul.mdl"], d, rc=1, out=r"nul\.mdl:2:2: error: the file is not UTF-8 text: a NUL byte .*\[E-ENCODING\]")
    write(d + "/c.mdl", "{UTF-8}\nbell\x07 = 1 ~~|\n" + VENSIM_TAIL)
    sdsim(["check", "c.mdl"], d, rc=1, out=r"c\.mdl:2:1: error: variable 'bell<U\+0007>': the name 'bell<U\+0007>' holds "
          r"the control character U\+0007.*\[E-BAD-NAME\]")
    # Limits: a range, an array, the variables after expansion.
    write(d + "/r.mdl", "{UTF-8}\nP: (p1-p3000) ~~|\nv[P] = 1 ~~|\n" + VENSIM_TAIL)
    sdsim(["check", "r.mdl", "--max-elements", "2000"], d, rc=1,
          out=r"r\.mdl:2:3: error: variable 'P': numbered range '\(p1-p3000\)' has 3000 elements; the limit is 2000 "
              r"\(raise it with --max-elements\) \[E-LIMIT\]")
    sdsim(["check", "r.mdl", "--max-variables", "2000"], d, rc=1,
          out=r"r\.mdl: error: the model has 3000 variables after expansion; the limit is 2000 \(raise it with "
              r"--max-variables\) \[E-LIMIT\]")
    sdsim(["check", "r.mdl"], d, rc=0)
    # Elements listed one by one (numbered ranges are also bounded together as they are read).
    names = lambda p: ", ".join("%s%d" % (p, i) for i in range(1, 51))
    write(d + "/a.mdl", "{UTF-8}\nA: %s ~~|\nB: %s ~~|\nAll: A, B ~~|\nv[A, All] = 1 ~~|\n" % (names("a"), names("b"))
          + VENSIM_TAIL)
    sdsim(["check", "a.mdl", "--max-elements", "90"], d, rc=1,
          out=r"a\.mdl:4:1: error: variable 'All': subscript range 'All' has 100 elements once the ranges it lists are "
              r"expanded; the limit is 90 \(raise it with --max-elements\) \[E-LIMIT\]")
    sdsim(["check", "a.mdl", "--max-elements", "150"], d, rc=1,
          out=r"a\.mdl:4:1: error: variable 'All': the subscript ranges up to 'All' have 200 elements together once the "
              r"ranges they list are expanded; the limit is 150 \(raise it with --max-elements\) \[E-LIMIT\]")
    sdsim(["check", "a.mdl", "--max-elements", "4000"], d, rc=1,
          out=r"a\.mdl:5:1: error: variable 'v': 'v\[A, All\]' has 5000 elements; the limit is 4000 .*\[E-LIMIT\]")
    sdsim(["check", "a.mdl"], d, rc=0)
    # Macros calling macros: a chain of 5 (not recursive) within --max-depth.
    chain = "".join(":MACRO: M%d(x)\nM%d = M%d(x) + 1 ~~|\n:END OF MACRO:\n" % (i, i, i + 1) for i in range(1, 5))
    write(d + "/m.mdl", "{UTF-8}\n" + chain + ":MACRO: M5(x)\nM5 = x ~~|\n:END OF MACRO:\ny = M1(3) ~~|\n" + VENSIM_TAIL)
    sdsim(["check", "m.mdl", "--max-depth", "4"], d, rc=1,
          out=r"m\.mdl:2:9: error: variable 'M1': macro 'M1' starts a chain of 5 macros, each calling the next; the "
              r"limit is 4 \(raise it with --max-depth\) \[E-LIMIT\]")
    sdsim(["run", "m.mdl", "--max-depth", "5"], d, rc=0, out=r"\n0,3,4,5,6,7,7\n")

@case
def accepted_second_document(d):
    write(d + "/m.yaml", MODEL + "---\nconstants:\n  rate: 0.9\n")
    sdsim(["check", "m.yaml"], d, rc=1, out=r"m\.yaml:10:1: error: a second YAML document \(after '---' or '\.\.\.'\) "
          r"in the model file.*\[E-YAML-SYNTAX\]")
    write(d + "/s.yaml", "model: m.yaml\n---\nset: {rate: 2}\n")
    sdsim(["check", "s.yaml"], d, rc=1, out=r"s\.yaml:3:1: error: a second YAML document")


# ---------------------------------------------------------------- misleading messages

@case
def message_option_values(d):
    write(d + "/m.yaml", MODEL)
    sdsim(["run", "m.yaml", "--dt", "0"], d, rc=1,
          err=r"^option --dt: error: dt is 0; the time step must be a positive number \[E-DT\]\n$")
    sdsim(["run", "m.yaml", "--stop", "-5"], d, rc=1, err=r"^option --stop: error: stop time -5 is before start time 0")
    sdsim(["run", "m.yaml", "--save-step", "0.3"], d, rc=1, err=r"^option --save-step: error: save step 0\.3 is not a "
          r"whole multiple of dt 0\.5")
    sdsim(["run", "m.yaml", "--stop", "1e400"], d, rc=2, err=r"^sdsim: error: number '1e400' for --stop is out of range")


@case
def message_directory(d):
    os.makedirs(d + "/model.yaml")
    sdsim(["run", "model.yaml"], d, rc=1, err=r"^model\.yaml: error: 'model\.yaml' is a directory, not a model or "
          r"scenario file \[E-IO\]\n$")
    write(d + "/s.yaml", "model: .\n")
    sdsim(["check", "s.yaml"], d, rc=1, out=r"s\.yaml:1:8: error: 'model: \.': '\.' is a directory")


@case
def message_out_of_range(d):
    write(d + "/m.yaml", MODEL.replace("rate: 0.1", "rate: 1e400"))
    sdsim(["check", "m.yaml"], d, rc=1, out=r"m\.yaml:8:9: error: variable 'rate': constant 'rate' has value '1e400', "
          r"which is out of range")
    write(d + "/s.yaml", MODEL.replace("stop: 10", "stop: 1e999"))
    sdsim(["check", "s.yaml"], d, rc=1, out=r"sim stop '1e999' is out of range")
    write(d + "/e.yaml", MODEL.replace("x * rate", "x * 1e999"))
    sdsim(["check", "e.yaml"], d, rc=1, out=r"number '1e999' is too large for a double")
    write(d + "/x.xmile", xmile('<aux name="a"><eqn>1</eqn></aux>', specs="<start>0</start><stop>1e400</stop><dt>1</dt>"))
    sdsim(["check", "x.xmile"], d, rc=1, out=r"<stop> '1e400' is out of range")


def main():
    global SDSIM
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    SDSIM = os.path.abspath(sys.argv[1])
    if sys.argv[2] == "--list":
        print("\n".join(CASES))
        return 0
    fn = CASES[sys.argv[2]]
    d = tempfile.mkdtemp(prefix="sim_hostile_")
    try:
        fn(d)
    except Fail as f:
        print("FAIL %s: %s" % (sys.argv[2], f))
        return 1
    except Skip as s:
        print("SKIP %s: %s" % (sys.argv[2], s))
        return 77
    finally:
        for root, dirs, _ in os.walk(d):
            for x in dirs:
                try:
                    os.chmod(os.path.join(root, x), 0o755)
                except OSError:
                    pass
        shutil.rmtree(d, ignore_errors=True)
    print("PASS", sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
