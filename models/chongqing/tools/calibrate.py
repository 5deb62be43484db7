#!/usr/bin/python3
"""Calibrates the Chongqing model (models/chongqing) to its history by least squares.

Runs `sdsim run model.yaml --set NAME=VALUE ...` (levers off) and fits the parameters
listed in FITTED to the targets in TARGETS, each residual divided by its tolerance, with a
Levenberg-Marquardt search over the parameters' search bounds (the min and max of their
`uncertainties:` entries in model.yaml; a logistic transform keeps every value inside them).
Data come from data/historical.csv. At the estimate, the standard errors and correlations
of the estimates are s^2 (J'J)^-1 (J: central differences of the weighted residuals,
s^2 = weighted sum of squares / (targets - parameters); Bates & Watts 1988).

    /usr/bin/python3 models/chongqing/tools/calibrate.py [--sdsim build/cli/sdsim] [--write | --check]

Prints the fit; --write stores in model.yaml the fitted values, each fitted parameter's
`uncertainties:` entry (normal: mean = estimate, sd = standard error) and the rank
correlations of the estimates (|r| >= 0.3, between the `BEGIN/END calibrate.py` comments of
`correlations:`); --check exits 1 if the fit moves any value by more than 1 % of its range
(the model is not at the optimum) or the written entries differ from what the fit gives.
Needs numpy and PyYAML. Issue 15 replaces this with `sdsim calibrate` once it has landed.
"""
import argparse
import csv
import io
import os
import re
import subprocess
import sys

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.dirname(HERE)
MODEL = os.path.join(MODEL_DIR, "model.yaml")

# Parameters fitted, each within the bounds of its `uncertainties:` entry in model.yaml, which
# is a normal distribution (and every such calibrated normal is fitted here).
FITTED = [
    "normal_migration_rate",
    "census_revision_urban",
    "settlement_time",
    "propensity_scale",
    "outside_work_intensity",
    "initial_operating_income",
    "initial_property_income",
    "remittance_share",
    # the areas: who leaves the wings and where the wings' long-distance migrants go
    "northeast_migration_propensity",
    "southeast_migration_propensity",
    "core_destination_share",
]
AREAS = [("core", "central_city"), ("metro", "metro_new_districts"), ("northeast", "northeast"),
         ("southeast", "southeast")]


def load_data():
    data = {}
    with open(os.path.join(MODEL_DIR, "data", "historical.csv")) as f:
        for row in csv.DictReader(f):
            data[(row["indicator"], int(row["year"]))] = float(row["value"])
    return data


def load_model():
    with open(MODEL) as f:
        return yaml.safe_load(f)


def search_bounds(model):
    """(min, max) of each fitted parameter's `uncertainties:` entry."""
    unc = model["uncertainties"]
    return {n: (float(unc[n]["min"]), float(unc[n]["max"])) for n in FITTED}


def declared_fit(model):
    """Problems with the declarations: every fitted parameter a calibrated normal whose mean
    is the model's value, and every calibrated normal fitted here."""
    unc, consts = model["uncertainties"], model["constants"]
    errors = []
    for n in FITTED:
        u = unc.get(n)
        if u is None or u.get("dist") != "normal" or not str(u.get("doc", "")).startswith("calibrated:"):
            errors.append(f"{n}: no calibrated normal entry in uncertainties:")
        elif float(u["mean"]) != float(consts[n]["value"]):
            errors.append(f"{n}: uncertainty mean {u['mean']} is not the model's value {consts[n]['value']}")
    for n, u in unc.items():
        if u.get("dist") == "normal" and str(u.get("doc", "")).startswith("calibrated:") and n not in FITTED:
            errors.append(f"{n}: a calibrated normal in uncertainties: that calibrate.py does not fit")
    return errors


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
    for area, name in AREAS:
        t.append((f"urbanization {area} 2022, %",
                  lambda r, d, a=area, n=name: (100 * r[f"area_urbanization_rate[{a}]"][2022], d[(f"urbanization_{n}", 2022)]),
                  2.0, "pp"))
        t.append((f"population {area} 2022",
                  lambda r, d, a=area, n=name: (r[f"area_resident_population[{a}]"][2022], d[(f"pop_{n}", 2022)]),
                  0.05, "rel"))
    t.append(("consumption/income 2020",
              lambda r, d: (r["consumption_income_ratio"][2020], d[("cons_all", 2020)] / d[("income_all", 2020)]), 0.02, "abs"))
    return t


VARS = ["urbanization_rate", "hukou_urbanization_rate", "rural_income", "rural_wage_income",
        "rural_operating_income", "rural_property_income", "rural_transfer_income",
        "consumption_income_ratio"] + [f"area_urbanization_rate[{a}]" for a, _ in AREAS] + \
       [f"area_resident_population[{a}]" for a, _ in AREAS]


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


def estimate_uncertainty(sdsim, data, tgts, p, lo, hi):
    """Standard errors and the correlation matrix of the estimates at p."""
    r = residuals(run(sdsim, dict(zip(FITTED, p))), data, tgts)
    J = np.empty((len(r), len(p)))
    for j in range(len(p)):
        h = 1e-4 * (hi[j] - lo[j])
        up, down = p.copy(), p.copy()
        up[j] += h
        down[j] -= h
        J[:, j] = (residuals(run(sdsim, dict(zip(FITTED, up))), data, tgts)
                   - residuals(run(sdsim, dict(zip(FITTED, down))), data, tgts)) / (2 * h)
    s2 = float(r @ r) / (len(r) - len(p))
    cov = s2 * np.linalg.inv(J.T @ J)
    se = np.sqrt(np.diag(cov))
    return se, cov / np.outer(se, se)


def rank_correlations(corr):
    """Pairs with |r| >= 0.3 as Spearman correlations (6/pi asin(r/2), exact for normals)."""
    out = []
    for i in range(len(FITTED)):
        for j in range(i + 1, len(FITTED)):
            if abs(corr[i, j]) >= 0.3:
                out.append((FITTED[i], FITTED[j], round(6 / np.pi * np.arcsin(corr[i, j] / 2), 2)))
    return out


CORR_BLOCK = re.compile(r"(  # BEGIN calibrate.py[^\n]*\n)(.*?)(  # END calibrate.py)", re.S)


def written_correlations(text):
    block = CORR_BLOCK.search(text).group(2)
    return [(a, b, float(rho)) for a, b, rho in re.findall(r"^  - \[(\w+), (\w+), ([^\]]+)\]$", block, re.M)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sdsim", default="build/cli/sdsim")
    ap.add_argument("--write", action="store_true", help="store the fitted values in model.yaml")
    ap.add_argument("--check", action="store_true", help="exit 1 if the fit moves a value by more than 1 %% of its range")
    ap.add_argument("--iterations", type=int, default=40)
    args = ap.parse_args()

    model = load_model()
    declared = declared_fit(model)
    if declared:
        print("\n".join(declared), file=sys.stderr)
        return 1
    data, ranges = load_data(), search_bounds(model)
    tgts = targets(data)
    lo = np.array([ranges[n][0] for n in FITTED])
    hi = np.array([ranges[n][1] for n in FITTED])
    p0 = np.array([float(model["constants"][n]["value"]) for n in FITTED])
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
    # Standard errors at the values written (the model's, if it is at the optimum).
    p_written = p0 if args.check else np.array([float(f"{v:.6g}") for v in p])
    se, corr = estimate_uncertainty(args.sdsim, data, tgts, p_written, lo, hi)
    rank = rank_correlations(corr)
    print("| parameter | value | standard error | range |\n|---|---|---|---|")
    for n, v, s, a, b in zip(FITTED, p, se, lo, hi):
        print(f"| `{n}` | {v:.6g} | {s:.3g} | {a:g}-{b:g} |")
    print("\n| target | model | data | error | tolerance |\n|---|---|---|---|---|")
    for label, f, tol, unit in tgts:
        m, o = f(res, data)
        if unit == "rel":
            print(f"| {label} | {m:.5g} | {o:.5g} | {100 * (m / o - 1):+.2f} % | ±{100 * tol:g} % |")
        else:
            print(f"| {label} | {m:.4g} | {o:.4g} | {m - o:+.3f} | ±{tol:g} |")
    print(f"\nweighted sum of squares: {cost:.4g}")
    print("\nrank correlations of the estimates (|r| >= 0.3): " +
          ", ".join(f"{a}/{b} {rho:+.2f}" for a, b, rho in rank))
    if args.check:
        failed = False
        moved = [n for n, a, b, l, h in zip(FITTED, p, p0, lo, hi) if abs(a - b) > 0.01 * (h - l)]
        if moved:
            print("the fit moves " + ", ".join(moved) + ": run calibrate.py --write", file=sys.stderr)
            failed = True
        unc = model["uncertainties"]
        off = [n for n, s in zip(FITTED, se) if abs(float(unc[n]["sd"]) / s - 1) > 0.02]
        written = written_correlations(open(MODEL).read())
        if off or [(a, b) for a, b, _ in written] != [(a, b) for a, b, _ in rank] or any(
                abs(x[2] - y[2]) > 0.02 for x, y in zip(written, rank)):
            print("the standard errors or correlations in model.yaml are not the fit's (" + ", ".join(off) +
                  "): run calibrate.py --write", file=sys.stderr)
            failed = True
        return 1 if failed else 0
    if args.write:
        text = open(MODEL).read()
        for n, v, s in zip(FITTED, p, se):
            text, k = re.subn(r"^(  " + n + r": \{value: )[^,]+,", lambda m: m.group(1) + f"{v:.6g},", text, flags=re.M)
            assert k == 1, n
            text, k = re.subn(r"^(  " + n + r": \{dist: normal, mean: )[^,]+, sd: [^,]+,",
                              lambda m: m.group(1) + f"{v:.6g}, sd: {s:.3g},", text, flags=re.M)
            assert k == 1, n
        lines = "".join(f"  - [{a}, {b}, {rho:g}]\n" for a, b, rho in rank)
        text = CORR_BLOCK.sub(lambda m: m.group(1) + lines + m.group(3), text)
        open(MODEL, "w").write(text)
        print("wrote the fitted values, their uncertainties and correlations to", MODEL, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
