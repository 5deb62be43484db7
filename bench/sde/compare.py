#!/usr/bin/env python3
"""Compare two CSV tables (SDE harness --csv vs sdsim run) cell by cell.

Usage: compare.py [--brief] SDE.csv LIBSIM.csv [REL_TOL]
Columns are matched by name (case- and space-insensitive); every column of the
SDE table must be in libsim's, rows are matched by time. Prints the largest
relative difference and the final values of up to 8 columns (those that change first); exits 1 if
any cell differs by more than REL_TOL (default 1e-9) relative.
"""
import csv
import sys


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    names = [n.strip().lower().replace("_", " ") for n in rows[0]]
    data = {n: [] for n in names}
    for row in rows[1:]:
        if not row:
            continue
        for n, v in zip(names, row):
            data[n].append(float(v))
    return names, data


def main():
    args = sys.argv[1:]
    brief = "--brief" in args
    args = [a for a in args if a != "--brief"]
    sde_path, lib_path = args[0], args[1]
    tol = float(args[2]) if len(args) > 2 else 1e-9
    sn, sd = load(sde_path)
    ln, ld = load(lib_path)
    missing = [n for n in sn if n not in ld]
    if missing:
        print("columns missing from libsim's output:", missing)
        return 1
    if len(sd["time"]) != len(ld["time"]):
        print(f"row counts differ: SDE {len(sd['time'])}, libsim {len(ld['time'])}")
        return 1
    worst, where, cells = 0.0, None, 0
    for n in sn:
        for i, (a, b) in enumerate(zip(sd[n], ld[n])):
            d = abs(a - b) / max(abs(a), abs(b), 1e-300) if a != b else 0.0
            cells += 1
            if d > worst:
                worst, where = d, (n, sd["time"][i], a, b)
    print(f"{len(sn) - 1} columns x {len(sd['time'])} rows = {cells} cells compared; max relative difference {worst:.3g}"
          + (f" ({where[0]} at t={where[1]}: SDE {where[2]!r}, libsim {where[3]!r})" if where else ""))
    varying = [n for n in sn[1:] if min(sd[n]) != max(sd[n])]  # show changing columns first
    for n in [] if brief else (varying + [n for n in sn[1:] if n not in varying])[:8]:
        print(f"  final {n}: SDE {sd[n][-1]!r}  libsim {ld[n][-1]!r}")
    return 0 if worst <= tol else 1


if __name__ == "__main__":
    sys.exit(main())
