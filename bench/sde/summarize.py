#!/usr/bin/env python3
"""Summarise bench/sde/run.sh's timings: per model, SDE's per-run CPU time
(median over alternations of each alternation's median of 5 repetitions; min;
range of the medians) beside libsim's interpreter and generated code
(Google Benchmark cpu_time medians, same statistics), and the ratios SDE/libsim
taken within each alternation (median and range over alternations)."""
import glob
import json
import os
import statistics
import sys

d = sys.argv[1]
sde = {}  # (model, variant) -> [(median, min)]
for line in open(os.path.join(d, "sde.txt")):
    i, m, v, med, mn = line.split()
    sde.setdefault((m, v), []).append((float(med), float(mn)))

lib = {}  # benchmark name -> [(median, min)]


def unit_us(b):
    return {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b.get("time_unit", "ns")]


for f in sorted(glob.glob(os.path.join(d, "overhead_*.json")) + glob.glob(os.path.join(d, "vensim_*.json"))):
    runs = json.load(open(f))["benchmarks"]
    by = {}
    for b in runs:
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate":
            by.setdefault(name, {})[b["aggregate_name"]] = b["cpu_time"] * unit_us(b)
        else:
            by.setdefault(name, {}).setdefault("reps", []).append(b["cpu_time"] * unit_us(b))
    for name, a in by.items():
        mn = min(a["reps"]) if "reps" in a else a.get("min", a.get("median"))
        lib.setdefault(name, []).append((a["median"], mn))


def stats(xs):
    meds = [x[0] for x in xs]
    return statistics.median(meds), min(x[1] for x in xs), min(meds), max(meds), len(xs)


def fmt(s):
    return f"{s[0]:9.3f} {s[1]:9.3f}  [{s[2]:.3f}-{s[3]:.3f}] n={s[4]}" if s else "        -"


rows = [
    ("SIR", "BM_sir_libsim", "BM_sir_native", "BM_sir_hand"),
    ("teacup", "BM_teacup_libsim", "BM_teacup_native", "BM_teacup_hand"),
    ("RealBeer4-Sterman13", "BM_run/beer_game", "BM_run_generated/beer_game", None),
    ("beer_sde", "BM_run/beer_game", "BM_run_generated/beer_game", None),
]
print("columns: median-of-medians  min  [range of alternation medians] n=alternations")
for model, interp, gen, hand in rows:
    print(f"\n{model}")
    li = stats(lib[interp]) if interp in lib else None
    lg = stats(lib[gen]) if gen in lib else None
    for v in ("O2", "O3", "clang-O3", "O2-lto", "O2-alloc"):
        s = stats(sde[(model, v)]) if (model, v) in sde else None
        print(f"  SDE generated C {v:9s}{fmt(s)}")
        if s and li and lg:
            # ratios within each alternation (same time window), then their median and range
            def per_alt(lib_runs):
                r = [a[0] / b[0] for a, b in zip(sde[(model, v)], lib_runs)]
                return f"{statistics.median(r):.2f} [{min(r):.2f}-{max(r):.2f}]"
            print(f"      SDE/libsim-interpreter {per_alt(lib[interp])}   SDE/libsim-generated {per_alt(lib[gen])}"
                  "   (per alternation: median [range])")
    print(f"  libsim interpreter     {fmt(li)}")
    print(f"  libsim generated C++   {fmt(lg)}")
    if hand and hand in lib:
        print(f"  hand-written C++       {fmt(stats(lib[hand]))}")
if "BM_run/sir" in lib:
    print("\nSIR from its .mdl (bench_vensim): interpreter", fmt(stats(lib["BM_run/sir"])),
          " generated", fmt(stats(lib.get("BM_run_generated/sir", []))) if lib.get("BM_run_generated/sir") else "")
