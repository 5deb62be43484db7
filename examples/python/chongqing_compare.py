#!/usr/bin/env python3
"""The Chongqing five-lever comparison from Python (what `sdsim compare
models/chongqing/scenarios/compare.yaml` does): every combination of the
five policy levers, ranked by rural income in 2050, with each lever's
Shapley share of the all-levers effect.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/chongqing_compare.py [--check DIR]

--check DIR compares every value with DIR/combinations.csv written by
`sdsim compare ... --out DIR` and exits 1 on any difference (bit for bit).
"""
import argparse
import csv
import struct
import sys
from pathlib import Path

import libsim

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "models" / "chongqing" / "scenarios" / "compare.yaml"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", metavar="DIR", help="compare with sdsim compare's DIR/combinations.csv")
    args = ap.parse_args()

    # A scenario file: its levers, indicators, report times and cost are the defaults.
    m = libsim.load(str(SCENARIO))
    c = m.compare()
    df = c.combinations

    ranked = df.sort_values("rural_income@2050", ascending=False)
    cols = ["rural_income@2050", "income_ratio@2050", "urbanization_rate@2050", "cumulative_fiscal_cost@2050"]
    print(f"{len(df)} combinations of {', '.join(c.levers)}; top ten by rural income in 2050:")
    print(ranked[cols].head(10).to_string(float_format=lambda x: f"{x:,.4g}"))

    eff = c.effects
    share = eff[(eff.indicator == "rural_income") & (eff.time == 2050)].set_index("lever")
    print("\nShapley shares of the all-levers effect on rural income, 2050:")
    for lever, row in share.iterrows():
        print(f"  {lever:16s} {row.shapley:12,.1f}  ({row.shapley / row.all_levers_effect:6.1%})")

    if args.check:
        with open(Path(args.check) / "combinations.csv", newline="") as f:
            rows = list(csv.reader(f))
        if ["combination"] + list(df.columns) != rows[0]:
            print("check: the columns differ from combinations.csv", file=sys.stderr)
            return 1
        bad = 0
        for (label, row), ref in zip(df.iterrows(), rows[1:]):
            for name, a, b in zip(rows[0][1:], row.to_numpy(), ref[1:]):
                if label != ref[0] or struct.pack("<d", float(a)) != struct.pack("<d", float(b)):
                    print(f"check: {label} {name}: {a!r} != {b} (CLI)", file=sys.stderr)
                    bad += 1
        if bad or len(df) != len(rows) - 1:
            return 1
        print(f"\ncheck: all {len(df)} x {len(df.columns)} values equal {args.check}/combinations.csv bit for bit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
