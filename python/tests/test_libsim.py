"""pytest suite of the Python module (run by ctest: python/tests/run_pytest.py).

The reference for every result is the sdsim command line of the same build
($SDSIM): its CSV holds shortest round-trip numbers, so parsing them gives
the exact doubles, and equality below is bit for bit (NaN never appears).
"""
import csv
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import libsim

SRC = Path(os.environ["SIM_SOURCE_DIR"])
SDSIM = os.environ["SDSIM"]
CQ = SRC / "models" / "chongqing"


def sdsim(*args, check=True):
    p = subprocess.run([SDSIM, *map(str, args)], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"sdsim {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}")
    return p


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [[float(x) for x in r] for r in rows[1:]]


def bits(x):
    return struct.pack("<d", float(x))


def assert_frame_is_csv(df, path):
    header, rows = read_csv(path)
    assert header[0] == "time"
    assert list(df.columns) == header[1:]
    assert len(df) == len(rows)
    for (t, row), ref in zip(df.iterrows(), rows):
        assert bits(t) == bits(ref[0])
        for name, a, b in zip(header[1:], row.to_numpy(), ref[1:]):
            assert bits(a) == bits(b), f"{name} at t={t}: {a!r} != {b!r} (CLI)"


# --- results equal the CLI's, to the last bit ----------------------------------

@pytest.mark.parametrize("model,method", [
    ("models/classic/sir.yaml", "euler"), ("models/classic/sir.yaml", "rk4"),
    ("models/classic/teacup.yaml", "rk45"), ("models/classic/bass.yaml", "rk2"),
    ("models/chongqing/model.yaml", None)])
def test_run_equals_cli_csv(tmp_path, model, method):
    out = tmp_path / "cli.csv"
    args = ["run", SRC / model, "--out", out] + (["--method", method] if method else [])
    sdsim(*args)
    df = libsim.load(str(SRC / model)).run(method=method)
    assert df.index.name == "time"
    assert_frame_is_csv(df, out)


def test_return_columns_and_times_match_cli(tmp_path):
    out = tmp_path / "cli.csv"
    sdsim("run", CQ / "model.yaml", "--vars", "rural_income,urbanization_rate", "--stop", 2040, "--out", out)
    df = libsim.load(str(CQ / "model.yaml")).run(return_columns=["rural_income", "urbanization_rate"],
                                                final_time=2040)
    assert_frame_is_csv(df, out)


@pytest.mark.parametrize("model", ["samples/teacup/teacup.xmile", "samples/teacup/teacup_mdl.mdl",
                                   "samples/SIR/SIR.xmile"])
def test_xmile_and_vensim_models_equal_cli(tmp_path, model):
    path = Path(os.environ.get("SIM_CONFORMANCE_DIR", "")) / "test-models" / model
    if not path.is_file():
        pytest.skip(f"conformance model {model} not found (SIM_CONFORMANCE_DIR)")
    out = tmp_path / "cli.csv"
    sdsim("run", path, "--out", out)
    assert_frame_is_csv(libsim.load(str(path)).run(), out)


# --- parameter and lever overrides match scenario files ---------------------------------

def scenario_overrides(path):
    """The levers and `set:` of a scenario file, following `extends:`."""
    doc = yaml.safe_load(Path(path).read_text())
    levers, params = {}, {}
    if "extends" in doc:
        levers, params = scenario_overrides(Path(path).parent / doc["extends"])
    for name, v in (doc.get("levers") or {}).items():
        levers[name] = v
    for name, v in (doc.get("set") or {}).items():
        params[name] = v
    return levers, params


@pytest.mark.parametrize("scenario", sorted(p.name for p in (CQ / "scenarios").glob("*.yaml")))
def test_chongqing_scenarios_as_overrides(tmp_path, scenario):
    out = tmp_path / "cli.csv"
    sdsim("run", CQ / "scenarios" / scenario, "--out", out)
    levers, params = scenario_overrides(CQ / "scenarios" / scenario)
    df = libsim.load(str(CQ / "model.yaml")).run(params=params, levers=levers)
    assert_frame_is_csv(df, out)


def test_lever_settings_and_params_match_a_scenario_file(tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_text(f"name: partial land\nmodel: {CQ / 'model.yaml'}\n"
                    "levers:\n  land: {on: true, intensity: 0.5, start: 2020, phase_in: 4}\n"
                    "  planning: on\n")
    out = tmp_path / "cli.csv"
    sdsim("run", scen, "--out", out)
    m = libsim.load(str(CQ / "model.yaml"))
    df = m.run(levers={"land": {"on": 1, "intensity": 0.5, "start": 2020, "phase_in": 4}, "planning": True})
    assert_frame_is_csv(df, out)
    # The scenario file itself, loaded by the module, gives the same.
    assert_frame_is_csv(libsim.load(str(scen)).run(), out)


def test_params_match_set_on_the_command_line(tmp_path):
    m = libsim.load(str(SRC / "models/classic/sir.yaml"))
    name = next(iter(m.constants))
    value = m.constants[name] * 1.25
    out = tmp_path / "cli.csv"
    sdsim("run", SRC / "models/classic/sir.yaml", "--set", f"{name}={value!r}", "--out", out)
    assert_frame_is_csv(m.run(params={name: value}), out)
    # An equation for a constant goes through the scenario path (recompiled).
    df = m.run(params={name: f"{value!r} * 1"})
    assert_frame_is_csv(df, out)


# --- errors carry located diagnostics ----------------------------------------------------

BAD_MODEL = """name: broken
sim: {start: 0, stop: 10, dt: 1}
stocks:
  stock:
    initial: 1
    inflows: [growth]
flows:
  growth:
    equation: stock * (rate +
constants:
  rate: {value: 0.1}
"""


def test_bad_equation_raises_with_line_and_column(tmp_path):
    p = tmp_path / "broken.yaml"
    p.write_text(BAD_MODEL)
    with pytest.raises(libsim.Error) as e:
        libsim.load(str(p))
    ds = [d for d in e.value.diagnostics if d.severity == "error"]
    assert ds, "no error diagnostic"
    d = ds[0]
    assert d.file.endswith("broken.yaml")
    assert d.line == 9
    assert d.column == BAD_MODEL.splitlines()[8].index("stock") + 1 + len("stock * (rate +")
    assert d.variable == "growth"
    assert d.code == "E-PARSE"
    assert f"broken.yaml:9:{d.column}: error: variable 'growth'" in str(e.value)
    # The CLI says the same.
    p_cli = sdsim("run", p, check=False)
    assert p_cli.returncode == 1
    assert str(d) in p_cli.stderr


def test_yaml_syntax_error_has_position(tmp_path):
    p = tmp_path / "syntax.yaml"
    p.write_text("name: x\nvariables:\n  - name: [unclosed\n")
    with pytest.raises(libsim.Error) as e:
        libsim.load(str(p))
    d = e.value.diagnostics[0]
    assert d.line >= 3 and d.column > 0
    assert d.code.startswith("E-YAML")


def test_unknown_parameter_and_lever_raise():
    m = libsim.load(str(CQ / "model.yaml"))
    with pytest.raises(libsim.Error) as e:
        m.run(params={"no_such_constant": 1})
    assert e.value.code == "E-UNKNOWN-PARAM"
    assert e.value.diagnostics[0].file == "option --set"
    with pytest.raises(libsim.Error) as e:
        m.run(levers={"land": {"on": 1, "intensity": 2}})
    assert e.value.code == "E-LEVER-INTENSITY"
    with pytest.raises(libsim.Error) as e:
        m.run(method="simpson")
    assert e.value.code == "E-BAD-METHOD"
    with pytest.raises(libsim.Error):
        m.run(return_columns=["no_such_variable"])
    with pytest.raises(libsim.Error):
        libsim.load(str(CQ / "no-such-model.yaml"))


# --- threads ------------------------------------------------------------------------------

def test_runs_from_several_threads_agree():
    m = libsim.load(str(CQ / "model.yaml"))
    settings = [{"levers": {"land": bool(i & 1), "planning": bool(i & 2)}} for i in range(8)]
    expected = [m.run(**s) for s in settings]
    got = [None] * (4 * len(settings))
    errors = []

    def work(j):
        try:
            got[j] = m.run(**settings[j % len(settings)])
        except Exception as x:  # reported below
            errors.append(x)

    threads = [threading.Thread(target=work, args=(j,)) for j in range(len(got))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for j, df in enumerate(got):
        ref = expected[j % len(settings)]
        assert np.array_equal(df.to_numpy().view(np.int64), ref.to_numpy().view(np.int64))


@pytest.mark.parametrize("call", ["run", "compare"])
def test_the_gil_is_released_during_a_run(call, tmp_path):
    # With a switch interval of 1,000 s the interpreter never takes the GIL from a running
    # thread: the main thread, woken by the event, gets it only when the worker gives it up.
    # If the C++ call holds the GIL that is after the call (done is True by then); if it
    # releases it, the main thread runs during the call. The calls take about a second
    # (dt = 1/16384 for the run; 32 runs at dt = 1/1024, one thread, for the comparison):
    # a 0.5 ms run (an earlier version of this test) could end before the woken main thread
    # asked for the GIL, which made the test racy.
    m = libsim.load(str(CQ / "model.yaml"))
    scen = tmp_path / "fine.yaml"
    scen.write_text("extends: %s\nsim: {dt: 0.0009765625}\n" % (CQ / "scenarios" / "compare.yaml").as_posix())
    s = libsim.load(str(scen))
    slow = {
        "run": lambda: m.run(time_step=1 / 16384, saveper=1, return_columns=["rural_income"]),
        "compare": lambda: s.compare(threads=1),
    }[call]
    m.run()  # warm up: lazy imports (file reads release the GIL too) happen here
    started = threading.Event()
    state = {"done": False}

    def work():
        started.set()
        slow()
        state["done"] = True

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=work)
        t.start()
        started.wait()
        during = not state["done"]
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert state["done"]
    assert during, "the main thread ran only after m.%s() returned: the GIL was held during it" % call


# --- description ----------------------------------------------------------------------------

def test_levers_constants_doc():
    m = libsim.load(str(CQ / "model.yaml"))
    assert set(m.levers) == {"planning", "land", "infrastructure", "registration", "innovation"}
    assert m.levers["land"]["on"] in (True, False)
    assert 0 <= m.levers["land"]["intensity"] <= 1
    assert all(isinstance(v, float) for v in m.constants.values())
    doc = m.doc
    assert "rural_income" in doc.index
    assert set(doc["kind"]) <= {"stock", "flow", "aux", "constant", "lookup"}
    assert (doc["line"] > 0).all()
    # The model's own value of a constant is what a run shows.
    name, value = next(iter(m.constants.items()))
    assert m.run(return_columns=[name])[name].iloc[0] == value


def test_return_timestamps_and_numpy():
    m = libsim.load(str(SRC / "models/classic/sir.yaml"))
    full = m.run(as_numpy=True)
    t0, t1 = full.time[2], full.time[3]
    r = m.run(return_timestamps=[t0, (t0 + t1) / 2], as_numpy=True)
    assert isinstance(r.values, np.ndarray) and r.columns == full.columns
    assert np.array_equal(r.values[0], full.values[2])
    assert np.allclose(r.values[1], (full.values[2] + full.values[3]) / 2)
    with pytest.raises(ValueError):
        m.run(return_timestamps=[full.time[-1] + 1])


# --- comparison ---------------------------------------------------------------------------------

def test_compare_equals_cli(tmp_path):
    out = tmp_path / "cmp"
    sdsim("compare", CQ / "scenarios" / "compare.yaml", "--out", out, "--no-charts")
    with open(out / "combinations.csv", newline="") as f:
        rows = list(csv.reader(f))
    c = libsim.load(str(CQ / "scenarios" / "compare.yaml")).compare()
    df = c.combinations
    assert ["combination"] + list(df.columns) == rows[0]
    assert len(df) == len(rows) - 1 == 32
    for (label, row), ref in zip(df.iterrows(), rows[1:]):
        assert label == ref[0]
        for name, a, b in zip(rows[0][1:], row.to_numpy(), ref[1:]):
            assert bits(a) == bits(float(b)), f"{label} {name}"
    assert c.value("planning+land", "rural_income", 2050) == \
        df.loc["planning+land", "rural_income@2050"]
    # Effects: every main effect and Shapley share of effects.csv.
    with open(out / "effects.csv", newline="") as f:
        eff = [r for r in csv.DictReader(f) if r["measure"] in ("main", "shapley")]
    assert eff
    e = c.effects.set_index(["indicator", "time", "lever"])
    col = {"main": "main_effect", "shapley": "shapley"}
    for r in eff:
        assert bits(e.loc[(r["indicator"], float(r["time"]), r["lever"]), col[r["measure"]]]) == bits(float(r["value"]))


# --- sensitivity and calibration ----------------------------------------------------------------

def test_sensitivity_latin_hypercube():
    m = libsim.load(str(CQ / "model.yaml"))
    if not m.uncertainties:
        pytest.skip("the model declares no uncertainties")
    a = m.sensitivity(indicators=["rural_income"], at=[2035], method="latin_hypercube", samples=150, seed=3)
    b = m.sensitivity(indicators=["rural_income"], at=[2035], method="latin_hypercube", samples=150, seed=3, threads=1)
    assert len(a) == len(m.uncertainties)
    assert set(a["parameter"]) == set(m.uncertainties)
    assert a["SRRC"].abs().le(1.0 + 1e-12).all()
    assert a["S1"].isna().all()  # not computed by this design
    assert np.array_equal(a["PRCC"].to_numpy(), b["PRCC"].to_numpy(), equal_nan=True)


def test_calibrate_recovers_a_constant(tmp_path):
    m = libsim.load(str(SRC / "models/classic/sir.yaml"))
    name, value = next(iter(m.constants.items()))
    stock = next(n for n, k in m.doc["kind"].items() if k == "stock")
    truth = m.run(params={name: value * 1.2}, return_columns=[stock])
    data = truth.iloc[::2].reset_index()
    r = m.calibrate(data, fit=[name], bounds={name: (value * 0.5, value * 2)}, starts=2)
    assert r.loc[name, "estimate"] == pytest.approx(value * 1.2, rel=1e-4)
    assert r.attrs["observations"] == len(data)


# --- installation ----------------------------------------------------------------------------------

def test_cmake_install_into_a_prefix(tmp_path):
    build = os.environ.get("SIM_BINARY_DIR")
    if not build:
        pytest.skip("SIM_BINARY_DIR not set")
    p = subprocess.run(["cmake", "--install", build, "--prefix", str(tmp_path), "--component", "python"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    pkgs = list(tmp_path.rglob("libsim/__init__.py"))
    assert len(pkgs) == 1
    assert list(pkgs[0].parent.glob("_core*.so")) and (pkgs[0].parent / "_core.pyi").exists()
    code = ("import libsim, sys; m = libsim.load(sys.argv[1]); "
            "print(libsim.__file__); print(m.run(return_columns=['rural_income']).iloc[-1, 0])")
    q = subprocess.run([sys.executable, "-c", code, str(CQ / "model.yaml")], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(pkgs[0].parent.parent)})
    assert q.returncode == 0, q.stderr
    assert q.stdout.splitlines()[0].startswith(str(tmp_path))


def test_example_chongqing_comparison(tmp_path):
    out = tmp_path / "cmp"
    sdsim("compare", CQ / "scenarios" / "compare.yaml", "--out", out, "--no-charts")
    p = subprocess.run([sys.executable, str(SRC / "examples/python/chongqing_compare.py"), "--check", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "bit for bit" in p.stdout
