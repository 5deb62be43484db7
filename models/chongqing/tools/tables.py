#!/usr/bin/python3
"""Regenerates the tables of models/chongqing/README.md from the model.

    /usr/bin/python3 models/chongqing/tools/tables.py [--sdsim build/cli/sdsim] [--check]

Runs the scenario files with `sdsim run` and rewrites each block of README.md between
`<!-- BEGIN generated: NAME -->` and `<!-- END generated: NAME -->`: the lever mechanisms
(from the model's levers and parameters), the lever effects in 2035, the lever ranking with its uncertainty (p_best, 5-95 % bands), the validation against
data/historical.csv and the parameter table (model.yaml values; ranges, distributions and bases
from the model's `uncertainties:`).
--check writes nothing and exits 1 if any block is out of date. Needs PyYAML.
"""
import argparse
import csv
import io
import math
import os
import re
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.dirname(HERE)
README = os.path.join(MODEL_DIR, "README.md")
LEVERS = ["planning", "land", "infrastructure", "registration", "innovation"]

# Per lever: the paper's words (§5), the parameters that carry its effect, and the published
# effect size each rests on (the parameters' own docs give the full source).
LEVER_NOTES = {
    "planning": ("“constructing agricultural product processing clusters, guiding urban enterprises to collaborate with rural cooperatives, enhancing the added value of agricultural products”",
                 ["planning_processing_boost", "planning_landing_boost", "county_supply_processing_elasticity", "county_supply_landing_elasticity", "planning_spend_share"],
                 "no published effect size for Chongqing; the city's plan to raise agri-processing output from 342.1 bn yuan (2023) to over 500 bn (2027), about +10 %/y (parameters.md), is a target, not an effect. Assumption ranges."),
    "land": ("“a unified construction land market … same land, same rights, same price … a fair and reasonable mechanism for the distribution of land appreciation benefits”",
             ["reform_entry_rate", "farmer_land_share", "land_ticket_price", "annual_land_rent", "land_reform_cost_per_mu"],
             "market entry 1-3 %/y under reform (assumption, parameters.md); farmers' share 0.42-0.63 (Xihua Univ. J. 2024), 0.85 for land tickets (Economist 2011); land-ticket effect on farmer income positive 2008-13, negative 2014-17 (IJERPH 2022, 19(21):13751)."),
    "infrastructure": ("“continue to increase investment in rural transportation, water conservancy, electricity … urban-rural teacher exchange … township health centers”",
                       ["infra_extra_share", "service_gap_closure", "wage_infrastructure_elasticity", "operating_infrastructure_elasticity", "service_cost_per_rural_resident"],
                       "low-grade rural roads return about 4x their cost in GDP (Fan & Chan-Kang 2005, IFPRI RR 138); a village 1 km closer to a road grows 0.75 %/y faster (Chen et al., Roads to Growth); pension participation +15.4 % consumption (Zheng et al. 2021)."),
    "registration": ("“further relax the restrictions on the settlement of agricultural transfer population, simplify the settlement procedures … special financial funds”",
                     ["registration_settlement_boost", "registration_budget_share", "registration_gap_closure", "migrant_consumption_gap", "citizenization_cost_per_person", "migrant_service_cost"],
                     "non-citizenized migrants consume 16-20 % less than comparable urban-hukou residents (Chen, Lu & Zhong 2015); converted households consume as native urban ones (Wang, Ai & Huang 2020); citizenization adds 1.46-2.01 pp to domestic-demand growth (Cai & Ma 2022); 80,000 yuan public cost per person (DRC, Kuang & Huang 2014)."),
    "innovation": ("“establishing a special fund for agricultural science and technology … cultivate strategic emerging industries”",
                   ["innovation_rd_increase", "tfp_rd_elasticity", "innovation_adjustment_time", "processing_innovation_elasticity", "public_rd_share"],
                   "TFP elasticity to R&D 0.27 (Zheng 2004); R&D increase itself an assumption."),
}

EFFECT_VARS = ["processing_conversion_rate", "project_landing_rate", "county_output", "local_nonfarm_jobs",
               "rural_wage_income", "land_market_share", "rural_property_income", "vacancy_rate",
               "public_service_index", "rural_transfer_income", "rural_income", "urban_income", "income_ratio",
               "non_citizenized_migrants", "migrant_consumption", "hukou_urbanization_rate", "tfp", "gdp",
               "total_household_consumption", "urbanization_rate"]


def g(v, digits=4):
    """Number with `digits` significant digits, plain notation when reasonable."""
    if v == 0:
        return "0"
    if abs(v) >= 1e6 or abs(v) < 1e-3:
        return f"{v:.{digits}g}"
    s = f"{v:.{digits}g}"
    if "e" in s:
        s = f"{v:.0f}"
    return s


def run(sdsim, path, *extra):
    out = subprocess.run([sdsim, "run", path, *extra], check=True, capture_output=True, text=True).stdout
    res = {}
    for row in csv.DictReader(io.StringIO(out)):
        t = float(row["time"])
        if t == int(t):
            res[int(t)] = {k: float(v) for k, v in row.items()}
    return res


def load_data():
    with open(os.path.join(MODEL_DIR, "data", "historical.csv")) as f:
        return {(r["indicator"], int(r["year"])): float(r["value"]) for r in csv.DictReader(f)}


BASES = ("source", "derived", "calibrated", "assumption", "numerical")


def parameter_ranges(model):
    """name -> (low, high, basis, distribution) for every constant, from `uncertainties:` (the
    support, the basis word that starts the doc); a constant without an entry is fixed."""
    out = {}
    unc = model.get("uncertainties", {})
    for name, c in model["constants"].items():
        u = unc.get(name)
        if u is None:
            out[name] = (c["value"], c["value"], "fixed", "fixed")
            continue
        basis = u["doc"].split(":", 1)[0]
        if basis not in BASES:
            sys.exit(f"uncertainties: {name}: the doc must start with one of {', '.join(BASES)} and a colon")
        kind = u["dist"]
        if kind == "triangular":
            dist = f"triangular, mode {g(u['mode'], 6)}"
        elif kind == "normal":
            dist = f"normal, mean {g(u['mean'], 6)}, sd {g(u['sd'], 3)}"
        elif kind == "uniform":
            dist = "uniform"
        else:
            sys.exit(f"uncertainties: {name}: tables.py does not show a {kind} distribution")
        out[name] = (u["min"], u["max"], basis, dist)
    return out


def lever_table(model, ranges):
    consts = model["constants"]
    lines = ["| lever | paper | mechanism in the model | parameters (value, range, basis) | effect size: source or assumption | phase-in | cost (`L_cost`) |",
             "|---|---|---|---|---|---|---|"]
    for name in LEVERS:
        lv = model["levers"][name]
        quote, params, effect = LEVER_NOTES[name]
        plist = "; ".join(f"`{p}` {g(consts[p]['value'])} ({g(ranges[p][0])}-{g(ranges[p][1])}, {ranges[p][2]})" for p in params)
        lines.append(f"| `{name}` | {lv['section']} {quote} | {lv['changes']} | {plist} | {effect} | {g(lv['phase_in'])} y from {g(lv['start'])} | `{lv['cost']}` |")
    return "\n".join(lines)


def effects_table(sdsim):
    scen = os.path.join(MODEL_DIR, "scenarios")
    base = run(sdsim, os.path.join(scen, "baseline.yaml"))
    runs = {n: run(sdsim, os.path.join(scen, n + ".yaml")) for n in LEVERS + ["all-levers"]}
    cols = LEVERS + ["all-levers"]
    t = 2035
    lines = ["| 2035 | baseline | " + " | ".join(cols) + " |", "|---|" + "---|" * (len(cols) + 1)]
    for v in EFFECT_VARS:
        b = base[t][v]
        lines.append(f"| {v} | {g(b)} | " + " | ".join(f"{100 * (runs[c][t][v] / b - 1):+.1f} %" for c in cols) + " |")
    cost = {c: runs[c][t]["cumulative_fiscal_cost"] for c in cols}
    lines.append("| cumulative fiscal cost 2025-2035, bn yuan | 0 | " + " | ".join(f"{cost[c] / 1e9:.0f}" for c in cols) + " |")
    per_yuan = []
    for c in cols:
        dc = (runs[c][t]["total_household_consumption"] - base[t]["total_household_consumption"]) * 1e8
        per_yuan.append(f"{dc / runs[c][t]['fiscal_cost_rate']:.2f}")
    lines.append("| extra household consumption 2035 per yuan of fiscal cost in 2035 | — | " + " | ".join(per_yuan) + " |")
    incl = []
    for c in cols:
        dc = (runs[c][t]["total_household_consumption"] - base[t]["total_household_consumption"]) * 1e8
        incl.append(f"{dc / (runs[c][t]['fiscal_cost_rate'] + runs[c][t]['land_value_transferred']):.2f}")
    lines.append("| the same per yuan of fiscal cost plus land value transferred | — | " + " | ".join(incl) + " |")
    summary = {
        "ratio_2050_all": runs["all-levers"][2050]["income_ratio"], "ratio_2050_base": base[2050]["income_ratio"],
        "urb_2050_all": runs["all-levers"][2050]["urbanization_rate"], "urb_2035_base": base[2035]["urbanization_rate"],
        "urb_2050_base": base[2050]["urbanization_rate"],
    }
    text = "\n".join(lines) + (
        f"\n\nWith all levers on the income ratio is {summary['ratio_2050_all']:.2f} in 2050 (baseline "
        f"{summary['ratio_2050_base']:.2f}); baseline urbanization is {100 * summary['urb_2035_base']:.1f} % in 2035 "
        f"(plan target 80 %, S35) and {100 * summary['urb_2050_base']:.1f} % in 2050.")
    return text


def validation_table(sdsim, data):
    r = run(sdsim, os.path.join(MODEL_DIR, "model.yaml"))
    rows = []

    def pp(label, year, model, obs, tol):
        rows.append(f"| {label} | {year} | {model:.2f} | {obs:.2f} | {model - obs:+.2f} pp | ±{tol:g} pp | {'yes' if abs(model - obs) <= tol else 'NO'} |")

    def rel(label, year, model, obs, tol, fmt="{:.0f}"):
        e = model / obs - 1
        rows.append(f"| {label} | {year} | {fmt.format(model)} | {fmt.format(obs)} | {100 * e:+.2f} % | ±{100 * tol:g} % | {'yes' if abs(e) <= tol else 'NO'} |")

    def info(label, year, model, obs, fmt="{:.0f}", unit="%"):
        e = 100 * (model / obs - 1) if unit == "%" else model - obs
        rows.append(f"| {label} | {year} | {fmt.format(model)} | {fmt.format(obs)} | {e:+.2f} {unit} | — | info |")

    for y in (2013, 2018, 2019, 2020, 2021, 2022, 2023):
        pp("urbanization rate, %", y, 100 * r[y]["urbanization_rate"], data[("urbanization_rate", y)], 1.5)
    pp("urbanization gain, pp", 2023, 100 * (r[2023]["urbanization_rate"] - r[2022]["urbanization_rate"]),
       data[("urbanization_rate", 2023)] - data[("urbanization_rate", 2022)], 0.3)
    # The four areas (S40); the metropolitan area's 79.8 % includes the core.
    for label, col, ind in (("central city (core)", "area_urbanization_rate[core]", "urbanization_central_city"),
                            ("metropolitan area (core + metro)", "metropolitan_urbanization_rate", "urbanization_metropolitan_area"),
                            ("rest of the metropolitan area (metro)", "area_urbanization_rate[metro]", "urbanization_metro_new_districts"),
                            ("north-east wing", "area_urbanization_rate[northeast]", "urbanization_northeast"),
                            ("south-east wing", "area_urbanization_rate[southeast]", "urbanization_southeast")):
        pp(f"urbanization rate, {label}, %", 2022, 100 * r[2022][col], data[(ind, 2022)], 2)
    for label, col, ind in (("core", "core", "pop_central_city"), ("metro", "metro", "pop_metro_new_districts"),
                            ("north-east", "northeast", "pop_northeast"), ("south-east", "southeast", "pop_southeast")):
        rel(f"resident population, {label}, 10k", 2022, r[2022][f"area_resident_population[{col}]"], data[(ind, 2022)], 0.05)
    for y in (2013, 2018, 2019, 2020, 2021, 2022, 2023):
        rel("resident population, 10k", y, r[y]["resident_population"], data[("pop_resident", y)], 0.03)
    rel("urban income, yuan", 2023, r[2023]["urban_income"], data[("income_urban", 2023)], 0.03)
    rel("rural income, yuan", 2023, r[2023]["rural_income"], data[("income_rural", 2023)], 0.03)
    rel("urban/rural income ratio", 2023, r[2023]["income_ratio"], data[("urban_rural_income_ratio", 2023)], 0.03, "{:.2f}")
    pp("urban income growth, %", 2023, 100 * (r[2023]["urban_income"] / r[2022]["urban_income"] - 1), data[("income_urban_growth", 2023)], 1.5)
    pp("rural income growth, %", 2023, 100 * (r[2023]["rural_income"] / r[2022]["rural_income"] - 1), data[("income_rural_growth", 2023)], 1.5)
    for c in ("wage", "operating", "property", "transfer"):
        rel(f"rural {c} income, yuan", 2023, r[2023][f"rural_{c}_income"], data[(f"income_rural_{c}", 2023)], 0.05)
    ratio = data[("cons_all", 2020)] / data[("income_all", 2020)]
    m = r[2020]["consumption_income_ratio"]
    rows.append(f"| all-resident consumption / income | 2020 | {m:.3f} | {ratio:.3f} | {m - ratio:+.3f} | ±0.02 | {'yes' if abs(m - ratio) <= 0.02 else 'NO'} |")
    for y in range(2018, 2024):
        key = ("gdp", y)
        rel("nominal GDP (revised), 100m yuan", y, r[y]["gdp"], data[key], 0.05)
    rows.append("| *informational* | | | | | | |")
    info("urban/rural income ratio (rounded in source)", 2018, r[2018]["income_ratio"], data[("urban_rural_income_ratio", 2018)], "{:.2f}")
    info("hukou urbanization rate, % (proxy; calibration target)", 2018, 100 * r[2018]["hukou_urbanization_rate"], data[("hukou_urbanization_rate", 2018)], "{:.2f}", "pp")
    for y in (2014, 2015, 2016, 2017, 2018, 2020, 2023):
        info("average income (resident-weighted), yuan", y, r[y]["average_income"], data[("income_all", y)])
    info("average consumption (resident-weighted), yuan", 2020, r[2020]["average_consumption"], data[("cons_all", 2020)])
    for y in (2014, 2015, 2016, 2017, 2018):
        info("nominal GDP (pre-revision series)", y, r[y]["gdp"], data[("gdp_prelim", y)])
    local_share = r[2022]["local_wage_income"] / r[2022]["rural_wage_income"]
    obs_share = data[("migrant_workers_local", 2022)] / data[("migrant_workers", 2022)]
    info("local share of rural wage income vs local share of migrant workers, %", 2022, 100 * local_share, 100 * obs_share, "{:.1f}", "pp")
    info("land market share, % (< 5)", 2023, 100 * r[2023]["land_market_share"], data[("land_market_share_max", 2023)], "{:.2f}")
    info("processing conversion rate, % (< 40 Kaizhou)", 2023, 100 * r[2023]["processing_conversion_rate"], data[("processing_conversion_rate_max", 2023)], "{:.2f}")
    info("project landing rate, % (< 60)", 2023, 100 * r[2023]["project_landing_rate"], data[("project_landing_rate_max", 2023)], "{:.2f}")
    head = ["| indicator | year | model | data | error | tolerance | ok |", "|---|---|---|---|---|---|---|"]
    return "\n".join(head + rows)


def parameter_table(model, ranges):
    lines = ["| parameter | value | unit | range | distribution | basis | source / note |", "|---|---|---|---|---|---|---|"]
    for name, c in model["constants"].items():
        lo, hi, basis, dist = ranges[name]
        rng = g(lo, 6) if lo == hi else f"{g(lo, 6)}-{g(hi, 6)}"
        lines.append(f"| `{name}` | {g(c['value'], 6)} | {c.get('units', '')} | {rng} | {dist} | {basis} | {c.get('doc', '')} |")
    return "\n".join(lines)


ROBUST_SAMPLES, ROBUST_SEED = 120, 1


def robustness_table(sdsim):
    """The main job's comparison with its uncertainty (`sdsim compare scenarios/compare.yaml
    --samples 120 --seed 1`, as scripts/main-job.sh runs it): for the baseline, each lever
    alone, all five and every combination best in some sample, rural income and the income
    ratio in 2050 as median and 5-95 % band over the samples, p_best and mean regret."""
    import shutil
    import tempfile
    out = tempfile.mkdtemp(prefix="cq_robust_")
    try:
        res = subprocess.run([sdsim, "compare", os.path.join(MODEL_DIR, "scenarios", "compare.yaml"),
                              "--samples", str(ROBUST_SAMPLES), "--seed", str(ROBUST_SEED), "--no-charts",
                              "--out", os.path.join(out, "c")], capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit("sdsim compare failed:\n" + res.stderr)
        rows = {}
        with open(os.path.join(out, "c", "robustness.csv")) as f:
            for r in csv.DictReader(f):
                if float(r["time"]) == 2050:
                    rows[(r["combination"], r["indicator"])] = r
    finally:
        shutil.rmtree(out, ignore_errors=True)
    combos = []
    for c, ind in rows:
        if ind == "rural_income" and c not in combos:
            combos.append(c)
    full = "+".join(LEVERS)
    shown = ["baseline"] + LEVERS + [full]
    shown += [c for c in sorted(combos, key=lambda c: -float(rows[(c, "rural_income")]["p_best"]))
              if float(rows[(c, "rural_income")]["p_best"]) > 0 and c not in shown]
    lines = ["| 2050 | rural income, yuan: median (5-95 %) | p_best | mean regret, yuan | income ratio: median (5-95 %) |",
             "|---|---|---|---|---|"]
    for c in shown:
        ri, ir = rows[(c, "rural_income")], rows[(c, "income_ratio")]
        lines.append(f"| {c} | {g(float(ri['p50']), 5)} ({g(float(ri['p5']), 5)}-{g(float(ri['p95']), 5)}) | "
                     f"{float(ri['p_best']):.3f} | {g(float(ri['regret_mean']), 4)} | "
                     f"{float(ir['p50']):.3f} ({float(ir['p5']):.3f}-{float(ir['p95']):.3f}) |")
    lines.append("")
    lines.append(f"Over {ROBUST_SAMPLES} Latin-hypercube samples (seed {ROBUST_SEED}) of every declared uncertain "
                 "parameter (`uncertainties:`, with their correlations), each sample running all 32 lever "
                 "combinations: p_best is the share of samples in which the combination gives the highest rural "
                 "income in 2050, regret its mean shortfall from each sample's best. Rows: the baseline, each "
                 "lever alone, all five, and every other combination that is best in some sample.")
    return "\n".join(lines) + "\n"


def replace_block(text, name, body):
    pat = re.compile(r"(<!-- BEGIN generated: " + re.escape(name) + r" -->\n).*?(<!-- END generated: " + re.escape(name) + r" -->)", re.S)
    if not pat.search(text):
        sys.exit(f"README.md has no block '{name}'")
    return pat.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sdsim", default="build/cli/sdsim")
    ap.add_argument("--check", action="store_true", help="exit 1 if README.md is out of date; write nothing")
    args = ap.parse_args()

    with open(os.path.join(MODEL_DIR, "model.yaml")) as f:
        model = yaml.safe_load(f)
    ranges = parameter_ranges(model)
    data = load_data()
    text = old = open(README).read()
    text = replace_block(text, "levers", lever_table(model, ranges))
    text = replace_block(text, "effects", effects_table(args.sdsim))
    text = replace_block(text, "robustness", robustness_table(args.sdsim))
    text = replace_block(text, "validation", validation_table(args.sdsim, data))
    text = replace_block(text, "parameters", parameter_table(model, ranges))
    if args.check:
        if text != old:
            print("models/chongqing/README.md tables are out of date: run models/chongqing/tools/tables.py", file=sys.stderr)
            return 1
        return 0
    if text != old:
        open(README, "w").write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
