#!/usr/bin/python3
"""Calibrates the Chongqing model (models/chongqing) to its history by least squares.

Runs `sdsim run model.yaml --set NAME=VALUE ...` (levers off) and fits the parameters
listed in FITTED to the targets in TARGETS, each residual divided by its tolerance, with a
Levenberg-Marquardt search over the parameters' stated ranges (parameters.csv; a logistic
transform keeps every value inside its range). Data come from data/historical.csv.

    /usr/bin/python3 models/chongqing/tools/calibrate.py [--sdsim build/cli/sdsim] [--write | --check]

Prints the fit; --write stores the fitted values in model.yaml; --check exits 1 if the fit
moves any value by more than 1 % of its range (the model is not at the optimum). Needs numpy.
Phase 2 of issue 15 replaces this with `sdsim calibrate`.
"""
import argparse
import csv
import io
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.dirname(HERE)
MODEL = os.path.join(MODEL_DIR, "model.yaml")

# Parameters fitted, each within its range in parameters.csv.
FITTED = [
    "normal_migration_rate",
    "census_revision_urban",
    "settlement_time",
    "propensity_scale",
    "outside_work_intensity",
    "initial_operating_income",
    "initial_property_income",
    "remittance_share",
]


def load_data():
    data = {}
    with open(os.path.join(MODEL_DIR, "data", "historical.csv")) as f:
        for row in csv.DictReader(f):
            data[(row["indicator"], int(row["year"]))] = float(row["value"])
    return data


def load_ranges():
    with open(os.path.join(MODEL_DIR, "parameters.csv")) as f:
        return {r["name"]: (float(r["low"]), float(r["high"])) for r in csv.DictReader(f)}


# (label, function of (results, data) -> (model, observed), tolerance, unit)
def targets(data):
    t = []
    for year in (2018, 2019, 2020, 2021, 2022, 2023):
        t.append((f"urbanization {year}, %", lambda r, d, y=year: (100 * r["urbanization_rate"][y], d[("urbanization_rate", y)]), 1.5, "pp"))
    t.append(("urbanization gain 2023, pp",
              lambda r, d: (100 * (r["urbanization_rate"][2023] - r["urbanization_rate"][2022]),
                            d[("urbanization_rate", 2023)] - d[("urbanization_rate", 2022)]), 0.3, "pp"))
    t.append(("hukou urbanization 2018, %", lambda r, d: (100 * r["hukou_urbanization_rate"][2018], d[("hukou_urbanization_rate", 2018)]), 1.0, "pp"))
    t.append(("rural income 2023", lambda r, d: (r["rural_income"][2023], d[("income_rural", 2023)]), 0.03, "rel"))
    t.append(("rural income growth 2023, %",
              lambda r, d: (100 * (r["rural_income"][2023] / r["rural_income"][2022] - 1), d[("income_rural_growth", 2023)]), 1.5, "pp"))
    for comp in ("wage", "operating", "property", "transfer"):
        t.append((f"rural {comp} income 2023",
                  lambda r, d, c=comp: (r[f"rural_{c}_income"][2023], d[(f"income_rural_{c}", 2023)]), 0.05, "rel"))
    t.append(("consumption/income 2020",
              lambda r, d: (r["consumption_income_ratio"][2020], d[("cons_all", 2020)] / d[("income_all", 2020)]), 0.02, "abs"))
    return t


VARS = ["urbanization_rate", "hukou_urbanization_rate", "rural_income", "rural_wage_income",
        "rural_operating_income", "rural_property_income", "rural_transfer_income",
        "consumption_income_ratio"]


def run(sdsim, values):
    cmd = [sdsim, "run", MODEL, "--vars", ",".join(VARS)]
    for name, v in values.items():
        cmd += ["--set", f"{name}={v!r}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    res = {v: {} for v in VARS}
    for row in rows:
        t = float(row["time"])
        if t == int(t):
            for v in VARS:
                res[v][int(t)] = float(row[v])
    return res


def residuals(res, data, tgts):
    r = []
    for _, f, tol, unit in tgts:
        m, o = f(res, data)
        r.append((m / o - 1) / tol if unit == "rel" else (m - o) / tol)
    return np.array(r)


def to_z(p, lo, hi):
    u = np.clip((p - lo) / (hi - lo), 1e-9, 1 - 1e-9)
    return np.log(u / (1 - u))


def from_z(z, lo, hi):
    return lo + (hi - lo) / (1 + np.exp(-z))


def current_values():
    text = open(MODEL).read()
    vals = {}
    for name in FITTED:
        m = re.search(r"^  " + name + r": \{value: ([^,]+),", text, re.M)
        vals[name] = float(m.group(1))
    return vals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sdsim", default="build/cli/sdsim")
    ap.add_argument("--write", action="store_true", help="store the fitted values in model.yaml")
    ap.add_argument("--check", action="store_true", help="exit 1 if the fit moves a value by more than 1 %% of its range")
    ap.add_argument("--iterations", type=int, default=40)
    args = ap.parse_args()

    data, ranges = load_data(), load_ranges()
    tgts = targets(data)
    lo = np.array([ranges[n][0] for n in FITTED])
    hi = np.array([ranges[n][1] for n in FITTED])
    p0 = np.array([current_values()[n] for n in FITTED])
    z = to_z(p0, lo, hi)

    def resid(z):
        return residuals(run(args.sdsim, dict(zip(FITTED, from_z(z, lo, hi)))), data, tgts)

    r = resid(z)
    cost = float(r @ r)
    lam = 1e-2
    for it in range(args.iterations):
        J = np.empty((len(r), len(z)))
        for j in range(len(z)):
            dz = np.zeros_like(z)
            dz[j] = 1e-4
            J[:, j] = (resid(z + dz) - r) / 1e-4
        g = J.T @ r
        A = J.T @ J
        improved = False
        while lam < 1e8:
            step = np.linalg.solve(A + lam * np.diag(np.diag(A) + 1e-12), -g)
            zn = z + step
            rn = resid(zn)
            cn = float(rn @ rn)
            if cn < cost:
                z, r, cost, lam, improved = zn, rn, cn, max(lam / 3, 1e-6), True
                break
            lam *= 4
        print(f"iteration {it + 1}: cost {cost:.6g}", file=sys.stderr)
        if not improved or np.max(np.abs(step)) < 1e-6:
            break

    p = from_z(z, lo, hi)
    res = run(args.sdsim, dict(zip(FITTED, p)))
    print("| parameter | value | range |\n|---|---|---|")
    for n, v, a, b in zip(FITTED, p, lo, hi):
        print(f"| `{n}` | {v:.6g} | {a:g}-{b:g} |")
    print("\n| target | model | data | error | tolerance |\n|---|---|---|---|---|")
    for label, f, tol, unit in tgts:
        m, o = f(res, data)
        if unit == "rel":
            print(f"| {label} | {m:.5g} | {o:.5g} | {100 * (m / o - 1):+.2f} % | ±{100 * tol:g} % |")
        else:
            print(f"| {label} | {m:.4g} | {o:.4g} | {m - o:+.3f} | ±{tol:g} |")
    print(f"\nweighted sum of squares: {cost:.4g}")
    if args.check:
        moved = [n for n, a, b, l, h in zip(FITTED, p, p0, lo, hi) if abs(a - b) > 0.01 * (h - l)]
        if moved:
            print("the fit moves " + ", ".join(moved) + ": run calibrate.py --write", file=sys.stderr)
            return 1
        return 0
    if args.write:
        text = open(MODEL).read()
        for n, v in zip(FITTED, p):
            text, k = re.subn(r"^(  " + n + r": \{value: )[^,]+,", lambda m: m.group(1) + f"{v:.6g},", text, flags=re.M)
            assert k == 1, n
        open(MODEL, "w").write(text)
        print("wrote the fitted values to", MODEL, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
