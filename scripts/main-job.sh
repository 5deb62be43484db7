#!/usr/bin/env bash
# Command (A): install what is missing, build, and run the main job:
# `sdsim compare` on the Chongqing model, all five levers (32 runs), on top
# of models/chongqing/scenarios/compare.yaml (which extends the baseline).
# Prints the ranked table and writes the report (combinations.csv,
# effects.csv, trajectories.csv, report.md, charts/) to out/compare/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target sdsim
./build/cli/sdsim compare models/chongqing/scenarios/compare.yaml --out out/compare
echo "report: out/compare/report.md"
