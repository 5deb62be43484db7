#!/usr/bin/python3
"""Regenerates the stock-and-flow diagram of models/chongqing/README.md from the model.

    /usr/bin/python3 models/chongqing/tools/diagram.py [--sdsim build/cli/sdsim] [--dot dot] [--check]

Writes diagram.dot (`sdsim graph model.yaml --vars ...` of the variables in VARS, the
levers included: an arrow for each path of dependencies through what is not shown, through
a hidden stock by way of its flows) and renders it as diagram.svg with Graphviz's `dot`
(Debian graphviz). --check writes nothing and exits 1 if diagram.dot is not what
`sdsim graph` gives for the model now; it needs no Graphviz (the SVG depends on the
Graphviz version and is not compared). The whole model: `sdsim graph model.yaml`
(--levels stocks|aux|all).
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.dirname(HERE)
DOT = os.path.join(MODEL_DIR, "diagram.dot")
SVG = os.path.join(MODEL_DIR, "diagram.svg")

# The variables of the main feedback loops (README, "Main feedback loops") and the levers.
VARS = [
    # population by area and migration (B1 Harris-Todaro, B2 return, B3 citizenization); the
    # citywide flows, computed as before and divided among the areas, are hidden
    "area_rural_residents", "area_rural_to_urban_migration", "area_migrant_arrivals", "area_non_citizenized_migrants",
    "area_return_migration", "area_citizenization", "area_urban_hukou_residents", "perceived_expected_income_ratio",
    "employment_probability",
    # incomes and demand (R1 local market, R2 demand pull)
    "rural_income", "urban_income", "rural_consumption", "local_wage_income", "total_household_consumption",
    "demand_utilization",
    # infrastructure by area, industry and land (R3, R4)
    "area_rural_infrastructure_capital", "area_infrastructure_investment", "area_rural_income",
    "public_service_index", "processing_conversion_rate", "project_landing_rate",
    "area_idle_construction_land", "area_productive_market_land",
    "planning", "land", "infrastructure", "registration", "innovation",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sdsim", default="build/cli/sdsim")
    ap.add_argument("--dot", default="dot", help="the Graphviz program")
    ap.add_argument("--check", action="store_true", help="exit 1 if diagram.dot is out of date; write nothing")
    args = ap.parse_args()

    graph = subprocess.run([args.sdsim, "graph", os.path.join(MODEL_DIR, "model.yaml"), "--vars", ",".join(VARS)],
                           check=True, capture_output=True, text=True).stdout
    old = open(DOT).read() if os.path.exists(DOT) else None
    if args.check:
        if graph != old:
            print("models/chongqing/diagram.dot is out of date: run models/chongqing/tools/diagram.py", file=sys.stderr)
            return 1
        return 0
    if graph != old:
        with open(DOT, "w") as f:
            f.write(graph)
    subprocess.run([args.dot, "-Tsvg", DOT, "-o", SVG], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
