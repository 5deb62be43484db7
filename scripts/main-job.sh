#!/usr/bin/env bash
# Command (A): install what is missing, build, and run the main job:
# `sdsim compare` on the Chongqing model, all five levers (32 runs), on top
# of models/chongqing/scenarios/compare.yaml (which extends the baseline).
# Prints the ranked table and writes the report (combinations.csv,
# effects.csv, trajectories.csv, report.md, report.html, charts/) to out/compare/,
# then prints the path of report.html and its summary sentences.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target sdsim
./build/cli/sdsim compare models/chongqing/scenarios/compare.yaml --out out/compare
echo
echo "report: $PWD/out/compare/report.html (and report.md beside it)"
echo
# The summary sentences, as report.md and report.html give them.
awk '/^## Summary/{on=1; next} /^## /{on=0} on && /^- /{sub(/^- /, ""); print; print ""}' out/compare/report.md
