#!/usr/bin/env bash
# Command (A): install what is missing, build, and run the main job.
# Main job for now: run the shipped SIR model and print its results.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
./build/cli/sdsim run models/classic/sir.yaml --stop 20
